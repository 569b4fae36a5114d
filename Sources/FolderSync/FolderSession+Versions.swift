import APIModel
import Content
import FolderKeys

/// Versions (docs/sync.md, "Versions"): a file's content that a newer version or a deletion
/// replaced stays restorable for the folder's retention. The index store records it in the
/// transaction that saves the replacing entry; this device holds references on the chunks
/// of every version it keeps (docs/gc.md, "Folder versions"), so the network keeps them,
/// and releases them once the version is past the retention.
extension FolderSession {
    /// A `sync restore` waiting for the loop.
    struct RestoreRequest {
        var path: String
        /// Restore the newest version modified by this time (ms); the one replaced last when nil.
        var at: Int64?
        var waiter: CheckedContinuation<FolderAPIDocuments.Version, any Error>
    }

    /// The versions of `relative` kept here: the current one first (when the file exists),
    /// then older ones, newest first.
    public func versions(of relative: String) throws -> [FolderAPIDocuments.Version] {
        let cutoff = Self.now() - Int64(retentionSeconds) * 1000
        var found: [FolderAPIDocuments.Version] = []
        if let current = local[PathKey(relative)]?.entry, current.kind == .file, !current.deleted, !current.capability.isEmpty {
            found.append(FolderAPIDocuments.Version(
                path: relative, capability: current.capability, size: current.size, mode: current.mode,
                modifiedNanoseconds: current.modifiedNanoseconds, modifiedBy: current.modifiedBy.label,
                supersededMilliseconds: nil, deleted: false))
        }
        found += try store.versions(folder: folderID, path: relative).filter { ($0.supersededMilliseconds ?? 0) >= cutoff }
        return found
    }

    /// Writes a kept version of `relative` back into the folder, where the next scan makes
    /// it the file's newest version (sent to every device like any edit). Runs in the loop,
    /// between rounds; answers once that scan is done.
    public func restore(_ relative: String, at: Int64?) async throws -> FolderAPIDocuments.Version {
        try await withCheckedThrowingContinuation { waiter in
            restoreRequests.append(RestoreRequest(path: relative, at: at, waiter: waiter))
            poke(scan: true)
        }
    }

    /// Carries out the waiting restores; returns them with their outcomes, to answer after
    /// the scan that records them.
    func performRestores() async -> [(RestoreRequest, Result<FolderAPIDocuments.Version, any Error>)] {
        let requests = restoreRequests
        restoreRequests = []
        guard !requests.isEmpty else { return [] }
        if markerMissing {
            let refusal = FolderSyncError.restoreRefused(path: path, reason: scanFailure ?? "the folder cannot sync now")
            return requests.map { ($0, .failure(refusal)) }
        }
        var done: [(RestoreRequest, Result<FolderAPIDocuments.Version, any Error>)] = []
        do {
            let applier = try FileApplier(root: path, decoder: FileDecoder(source: network.chunkSource), logger: logger)
            for request in requests {
                do {
                    done.append((request, .success(try await restoreOne(request, applier: applier))))
                } catch {
                    done.append((request, .failure(error)))
                }
            }
            applier.flush()
        } catch {
            done = requests.map { ($0, .failure(error)) }
        }
        return done
    }

    private func restoreOne(_ request: RestoreRequest, applier: FileApplier) async throws -> FolderAPIDocuments.Version {
        let kept = try versions(of: request.path)
        let chosen: FolderAPIDocuments.Version
        if let at = request.at {
            // The file as it was at `at`: the newest version modified by then (modification
            // times come from the writing device, so every device picks the same one).
            let limit = at.multipliedReportingOverflow(by: 1_000_000)
            guard let found = kept.first(where: { limit.overflow || $0.modifiedNanoseconds <= limit.partialValue }) else {
                throw FolderSyncError.noVersion(path: request.path, reason: "every kept version was modified after that time")
            }
            guard found.supersededMilliseconds != nil else {
                throw FolderSyncError.noVersion(path: request.path, reason: "the current version is the one of that time")
            }
            chosen = found
        } else {
            guard let found = kept.first(where: { $0.supersededMilliseconds != nil }) else {
                throw FolderSyncError.noVersion(
                    path: request.path, reason: "no older version is kept (the retention is \(retentionSeconds) s)")
            }
            chosen = found
        }
        let entry = IndexEntry(
            path: request.path, kind: .file, mode: chosen.mode, modifiedNanoseconds: chosen.modifiedNanoseconds,
            size: chosen.size, capability: chosen.capability)
        switch await applier.apply(entry, current: local[PathKey(request.path)], copySource: nil) {
        case .applied:
            logger.info("restored a version", metadata: ["path": "\(request.path)", "superseded": "\(chosen.supersededMilliseconds ?? 0)"])
            return chosen
        case .changedLocally:
            throw FolderSyncError.restoreRefused(path: request.path, reason: "it changed on disk since the last scan; try again")
        case .failed(let reason):
            throw FolderSyncError.restoreRefused(path: request.path, reason: reason)
        }
    }

    /// Drops versions past the retention, then makes this device's references match what the
    /// folder keeps: references on every current and kept version, none on anything else.
    /// Missing references are taken before others are released, so a chunk shared by both
    /// never loses this owner's lease.
    func maintainVersions() async throws {
        let cutoff = Self.now() - Int64(retentionSeconds) * 1000
        if let oldest = try store.oldestVersion(folder: folderID), oldest < cutoff {
            let dropped = try store.dropVersions(folder: folderID, supersededBefore: cutoff)
            logger.debug("versions past the retention dropped", metadata: ["versions": "\(dropped)"])
            referencesStale = true
        }
        guard referencesStale else { return }
        let inUse = try store.capabilitiesInUse(folder: folderID)
        var held: Set<String>
        if let referenced { held = referenced } else { held = try await network.references(folder: folderID) }
        let missing = inUse.compactMap { text, size in
            held.contains(text) ? nil : (try? Capability(parsing: text)).map { (capability: $0, size: size) }
        }
        var complete = true
        if !missing.isEmpty {
            let added = try await network.reference(folder: folderID, files: missing)
            held.formUnion(added)
            complete = added.count == missing.count
        }
        let extra = held.filter { inUse[$0] == nil }
        if !extra.isEmpty {
            let released = try await network.release(folder: folderID, capabilities: Array(extra))
            held.subtract(extra)
            let ids = released.map(\.bytes)
            chunks.forget(ids)
            try store.forgetStored(ids)
        }
        referenced = held
        referencesStale = !complete
    }
}
