import FolderKeys
import FolderSync

/// The checks both folder fuzzers run on one input (`FolderIndexFuzzer` under libFuzzer,
/// `FolderIndexFuzzTests` in the suite). The input is decoded as a folder index and as an
/// announcement plaintext; whatever decodes must re-encode and decode again to an equal
/// value, and every decoded entry goes through the pure logic a device runs on remote
/// entries, so that an arithmetic trap on a crafted value crashes the probe.
public enum FolderDecoderProbe {
    /// What one decoder made of the input.
    public enum Decoded: Sendable, Equatable {
        case value(entries: Int)
        case refused(reason: String)

        public var isValue: Bool {
            if case .value = self { return true }
            return false
        }
    }

    public struct Outcome: Sendable {
        public var index: Decoded
        public var announcement: Decoded
        /// Broken promises of a decoder or of the logic; empty unless something is wrong.
        public var problems: [String] = []
    }

    /// Rules with every kind of pattern, so the matcher meets crafted paths too.
    static let ignore = IgnoreRules(parsing: "*.tmp\n!keep.tmp\n/build/\n**/cache/**\ndocs/*.[ch]\n?x\n")
    static let localDevice: DeviceShortID = 0x0102_0304_0506_0708

    public static func run(_ input: [UInt8]) -> Outcome {
        var outcome = Outcome(index: .refused(reason: ""), announcement: .refused(reason: ""))
        outcome.index = probeIndex(input, into: &outcome)
        outcome.announcement = probeAnnouncement(input, into: &outcome)
        return outcome
    }

    // MARK: - Decoders

    private static func probeIndex(_ input: [UInt8], into outcome: inout Outcome) -> Decoded {
        let index: FolderIndex
        do {
            index = try FolderIndex(decoding: input)
        } catch {
            return refusal(error, expected: "folder index", into: &outcome)
        }
        let encoded = index.encoded()
        do {
            let again = try FolderIndex(decoding: encoded)
            // Refused entries are not re-encoded: what was kept must come back, and nothing is refused again.
            if again.entries != index.entries || again.device != index.device || !again.refused.isEmpty {
                outcome.problems.append("index decodes to another value after re-encoding")
            }
            if again.encoded() != encoded { outcome.problems.append("index re-encoding is not stable") }
        } catch {
            outcome.problems.append("re-encoded index does not decode: \(error)")
        }
        exerciseLogic(on: index, into: &outcome)
        return .value(entries: index.entries.count)
    }

    private static func probeAnnouncement(_ input: [UInt8], into outcome: inout Outcome) -> Decoded {
        let announcement: IndexAnnouncement
        do {
            announcement = try IndexAnnouncement(decodingPlaintext: input)
        } catch {
            return refusal(error, expected: "index announcement", into: &outcome)
        }
        let encoded = announcement.encodedPlaintext()
        // The plaintext has one encoding per value, so it must come back byte for byte.
        if encoded != input { outcome.problems.append("announcement does not re-encode to its input") }
        do {
            if try IndexAnnouncement(decodingPlaintext: encoded) != announcement {
                outcome.problems.append("announcement decodes to another value after re-encoding")
            }
        } catch {
            outcome.problems.append("re-encoded announcement does not decode: \(error)")
        }
        return .value(entries: Int(announcement.entryCount))
    }

    /// The decoders throw `FolderSyncError` by their type; of its cases only `.malformed`
    /// about the thing decoded may come out of a decoder.
    private static func refusal(_ error: FolderSyncError, expected: String, into outcome: inout Outcome) -> Decoded {
        guard case .malformed(let what, let reason) = error, what == expected else {
            outcome.problems.append("\(expected) decoder threw \(error)")
            return .refused(reason: "\(error)")
        }
        return .refused(reason: reason)
    }

    // MARK: - What a device does with remote entries

    private static func exerciseLogic(on index: FolderIndex, into outcome: inout Outcome) {
        let planner = SyncPlanner(device: localDevice, ignore: ignore)
        let wanted = index.entries.filter { !$0.deleted && !ignore.isIgnored($0.path, isDirectory: $0.kind == .directory) }
        let actions = planner.plan(local: [:], remote: [index])
        if actions.count != wanted.count {
            outcome.problems.append("planner made \(actions.count) actions for \(wanted.count) wanted entries")
        }
        // The same entries already here, in a version concurrent with every remote one.
        var local: [PathKey: IndexEntry] = [:]
        for entry in index.entries {
            var mine = entry
            mine.version = VersionVector([.init(device: localDevice, value: 1)])
            mine.modifiedBy = localDevice
            local[PathKey(entry.path)] = mine
        }
        _ = planner.plan(local: local, remote: [index, index])

        for entry in index.entries {
            if !IndexEntry.isSafe(path: entry.path) { outcome.problems.append("decoded an unsafe path \(entry.path.debugDescription)") }
            exerciseVersion(entry.version, device: entry.modifiedBy, into: &outcome)
            let copy = ConflictName.make(
                for: entry.path, secondsSince1970: entry.modifiedNanoseconds / 1_000_000_000, device: entry.modifiedBy.label)
            if !ConflictName.isConflictCopy(copy) { outcome.problems.append("conflict name \(copy.debugDescription) is not one") }
        }
    }

    private static func exerciseVersion(
        _ version: VersionVector, device: DeviceShortID, into outcome: inout Outcome
    ) {
        if version.compare(version) != .equal { outcome.problems.append("\(version) is not equal to itself") }
        if version.merged(with: version) != version { outcome.problems.append("\(version) merged with itself changed") }
        for by in [device, localDevice] {
            let next = version.incremented(by: by)
            if next.compare(version) != .greater { outcome.problems.append("\(next) is not newer than \(version)") }
            if version.merged(with: next) != next { outcome.problems.append("\(version) merged with \(next) is not \(next)") }
        }
    }
}
