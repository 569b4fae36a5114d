import ChunkStore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash safety with a real process: `chunkstore-crashwriter` puts and deletes chunks from
/// eight threads at once (so that their puts share group commits) and reports each
/// acknowledged operation on stdout; the test SIGKILLs it at a random point, twenty times over
/// one store with a new seed each time, and after each reopen checks that the store is
/// consistent, that nothing acknowledged is lost, and that it takes new writes.
@Suite("ChunkStore crash safety")
struct ChunkStoreCrashTests {
    static let rounds = 20
    static let writers = 8

    @Test func sigkillAtRandomMomentsUnderGroupCommitLeavesAConsistentStore() throws {
        try killAndCheckRounds(compacting: false)
    }

    /// The same with small segments, a delete after every second put and compactions running
    /// beside the writers: kills land between a compaction's steps too, and still nothing
    /// acknowledged is lost and no acknowledged delete comes back.
    @Test func sigkillDuringCompactionsLeavesAConsistentStore() throws {
        try killAndCheckRounds(compacting: true)
    }

    func killAndCheckRounds(compacting: Bool) throws {
        let writer = try #require(
            Self.crashWriterPath(),
            "chunkstore-crashwriter not found next to the test binary; build it, or set CHUNKSTORE_CRASHWRITER")
        var generator = SystemRandomNumberGenerator()
        try withTemporaryDirectory { root in
            var expectedPresent = Set<StoredChunkID>()
            var expectedAbsent = Set<StoredChunkID>()
            var killedMidRun = 0
            for round in 0..<Self.rounds {
                let seed = UInt64.random(in: 1...UInt64.max, using: &generator)
                // Kill after this many acknowledged operations (of ~1,100), i.e. mid-run.
                let killAfter = Int.random(in: 5..<900, using: &generator)
                let (log, killed) = try Self.runAndKill(
                    writer: writer, root: root, seed: seed, killAfter: killAfter, compacting: compacting)
                if killed { killedMidRun += 1 }
                let context = Comment(rawValue: "round \(round) seed \(seed) killed after \(killAfter) ops")
                #expect(log.count >= killAfter, context)
                // Deletes that had begun but not returned at the kill: their victims may be gone or not.
                var inFlightDeletes = Set<StoredChunkID>()
                for line in log {
                    let parts = line.split(separator: " ")
                    guard parts.count == 2, let id = StoredChunkID(hex: parts[1]) else { continue }
                    switch parts[0] {
                    case "put": expectedPresent.insert(id)
                    case "del?": inFlightDeletes.insert(id)
                    case "del":
                        inFlightDeletes.remove(id)
                        expectedPresent.remove(id)
                        expectedAbsent.insert(id)
                    default: break
                    }
                }

                let store = try ChunkStore(root: root, capacity: 1 << 40, logger: quietLogger)
                #expect(try store.integrityCheck() == ["ok"], context)
                #expect(try store.temporaryFiles().isEmpty, context)
                let records = try store.chunks(limit: .max)
                var sum: Int64 = 0
                for record in records {
                    // Every indexed chunk reads back and verifies: no torn record is visible.
                    #expect(throws: Never.self, context) { _ = try store.get(record.id) }
                    sum += record.size
                }
                #expect(try store.quarantinedFiles().isEmpty, context)
                #expect(store.usage.used == UInt64(sum) && store.usage.count == records.count, context)
                #expect(try store.segmentUsage().live == UInt64(sum) + UInt64(records.count * 40), context)

                let indexed = Set(records.map(\.id))
                let lost = expectedPresent.subtracting(indexed)
                #expect(lost.isSubset(of: inFlightDeletes), context)
                expectedPresent.subtract(lost)
                #expect(indexed.isDisjoint(with: expectedAbsent), context)

                // The store takes new writes where the killed writer stopped.
                let fresh = makeChunk(seed: seed, size: 3000)
                #expect(try store.put(fresh.id, fresh.bytes) == .stored, context)
                #expect(try store.get(fresh.id) == fresh.bytes, context)
                #expect(try store.delete(fresh.id), context)
                try store.close()
            }
            // The writer can run ahead of the reader by a pipe's worth of lines; it must not every time.
            #expect(killedMidRun > 0)
        }
    }

    /// Runs the writer until it has acknowledged `killAfter` operations, SIGKILLs it, and returns
    /// every line it wrote (the pipe keeps lines written before death) and whether the signal
    /// ended it (rather than it finishing first). Polls with a deadline.
    static func runAndKill(
        writer: String, root: String, seed: UInt64, killAfter: Int, compacting: Bool
    ) throws -> (lines: [String], killed: Bool) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: writer)
        process.arguments = [root, "1000", String(seed), String(writers)] + (compacting ? ["compact"] : [])
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let reader = LineReader(descriptor: pipe.fileHandleForReading.fileDescriptor)
        let deadline = ContinuousClock.now + .seconds(120)
        var lines: [String] = []
        while lines.count < killAfter, let line = reader.next(deadline: deadline) {
            lines.append(line)
        }
        kill(process.processIdentifier, SIGKILL)
        while let line = reader.next(deadline: deadline) { lines.append(line) }
        process.waitUntilExit()
        return (lines, process.terminationReason == .uncaughtSignal)
    }

    /// Where the writer binary is: `$CHUNKSTORE_CRASHWRITER`, else next to the running test
    /// binary. SwiftPM puts every product of a build in one directory (e.g. `.build/debug/`), and
    /// the test binary (`<Package>PackageTests.xctest`, a file on Linux, a bundle on macOS) is
    /// there too; on macOS the executable is three levels inside the bundle, so walk up.
    static func crashWriterPath() -> String? {
        if let path = ProcessInfo.processInfo.environment["CHUNKSTORE_CRASHWRITER"] { return path }
        #if os(Linux)
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        #else
        let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        #endif
        var directory = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("chunkstore-crashwriter").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }
}

/// Reads lines from a pipe with `poll`, so a hung child fails the test at the deadline
/// instead of hanging it.
final class LineReader {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private var atEnd = false

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// The next line, or nil at end of file or when the deadline passes.
    func next(deadline: ContinuousClock.Instant) -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            if atEnd { return nil }
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { return nil }
            var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let millis = Int32(min(remaining.components.seconds * 1000 + 1, 1000))
            let ready = poll(&request, 1, millis)
            if ready < 0 && errno != EINTR { return nil }
            guard ready > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let got = read(descriptor, &chunk, chunk.count)
            if got <= 0 {
                if got < 0 && errno == EINTR { continue }
                atEnd = true
            } else {
                buffer += chunk[..<got]
            }
        }
    }
}
