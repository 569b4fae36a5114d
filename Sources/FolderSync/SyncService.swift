import APIModel
import DurableFiles
import FolderKeys
import Foundation
import Logging

/// The folders this device syncs: registers and forgets them, runs one `FolderSession`
/// per folder, and answers for their status. Lives in the daemon; `p2p sync …` reaches
/// it through the local API.
public actor SyncService {
    /// `sync/` in the peer's home: the database and one token file per folder.
    public let directory: String
    let network: any SyncNetwork
    let timing: SyncTiming
    let logger: Logger
    let store: FolderIndexStore
    private var sessions: [String: (session: FolderSession, task: Task<Void, Never>)] = [:]

    public init(directory: String, network: any SyncNetwork, timing: SyncTiming = SyncTiming(), logger: Logger) throws {
        guard mkdir(directory, 0o700) == 0 || errno == EEXIST else {
            throw FolderSyncError.io(path: directory, operation: "mkdir", errno: errno)
        }
        self.directory = directory
        self.network = network
        self.timing = timing
        self.logger = logger
        self.store = try FolderIndexStore(path: directory + "/sync.sqlite")
    }

    /// Starts a session for every registered folder.
    public func start() throws {
        for folder in try store.folders() where sessions[folder.id] == nil {
            let token = try FolderToken(stored: String(decoding: try readToken(folder.id), as: UTF8.self))
            try launch(folder, token: token)
        }
    }

    public func stop() async {
        for (_, running) in sessions { running.task.cancel() }
        for (_, running) in sessions { await running.task.value }
        sessions = [:]
    }

    /// Syncs `path` (absolute, an existing directory) with the folder of `token`, or with
    /// a new folder when there is none; versions no longer current are kept
    /// `retentionSeconds`. Returns the folder's token. `onDemand` follows the folder of
    /// `token` without writing anything to `path` (its tree is read through a mount).
    public func add(
        path requested: String, token: FolderToken?, retentionSeconds: Int = FolderAPIDocuments.defaultRetentionSeconds,
        onDemand: Bool = false
    ) throws -> FolderToken {
        let path = try Self.validate(requested)
        guard retentionSeconds >= 0 else {
            throw FolderSyncError.invalidFolder(path: path, reason: "the retention must not be negative")
        }
        if onDemand && token == nil {
            throw FolderSyncError.invalidFolder(path: path, reason: "a folder followed on demand needs the token of an existing folder")
        }
        let token = try token ?? FolderToken.generate()
        for folder in try store.folders() {
            if folder.path == path {
                throw FolderSyncError.invalidFolder(
                    path: path, reason: "it is already synced (folder \(folder.id)); `p2p sync token \(path)` prints its token")
            }
            if folder.id == token.folderID {
                throw FolderSyncError.invalidFolder(path: path, reason: "this folder is already synced here, at \(folder.path)")
            }
            if folder.path == path || path.hasPrefix(folder.path + "/") || folder.path.hasPrefix(path + "/") {
                throw FolderSyncError.invalidFolder(path: path, reason: "it overlaps the synced folder \(folder.path)")
            }
        }
        if !onDemand { try FolderScanner(root: path, ignore: .none).placeMarker() }
        try DurableWrite.write(Array(token.description.utf8), to: tokenPath(token.folderID), mode: 0o600)
        try store.addFolder(id: token.folderID, path: path, retentionSeconds: retentionSeconds, onDemand: onDemand)
        try launch(
            FolderIndexStore.Folder(id: token.folderID, path: path, sequence: 0, retentionSeconds: retentionSeconds, onDemand: onDemand),
            token: token)
        logger.info(onDemand ? "following a folder on demand" : "syncing a folder", metadata: ["folder": "\(token.folderID)", "path": "\(path)"])
        return token
    }

    /// Stops syncing `path`; its files stay as they are. This device's references on the
    /// folder's versions are released (the other devices keep theirs).
    public func remove(path requested: String) async throws {
        let path = FolderAPIDocuments.normalizedPath(requested)
        guard let folder = try store.folders().first(where: { $0.path == path }) else { throw FolderSyncError.unknownFolder(path) }
        if let running = sessions.removeValue(forKey: folder.id) {
            running.task.cancel()
            await running.task.value
        }
        try store.removeFolder(id: folder.id)
        unlink(tokenPath(folder.id))
        do {
            let released = try await network.release(folder: folder.id, capabilities: Array(try await network.references(folder: folder.id)))
                + network.referenceIndex(folder: folder.id, pages: [])
            try store.forgetStored(released.map(\.bytes))
        } catch {
            logger.warning("could not release the folder's references; its leases run out instead", metadata: ["error": "\(error)"])
        }
        logger.info("stopped syncing a folder", metadata: ["folder": "\(folder.id)", "path": "\(path)"])
    }

    /// The token of the folder synced at `path`, to add the folder on another device.
    public func token(path requested: String) throws -> FolderToken {
        let path = FolderAPIDocuments.normalizedPath(requested)
        guard let folder = try store.folders().first(where: { $0.path == path }) else { throw FolderSyncError.unknownFolder(path) }
        return try FolderToken(stored: String(decoding: try readToken(folder.id), as: UTF8.self))
    }

    /// Scans `path` now (even when nothing signalled a change) and returns how long the
    /// scan took; an unchanged tree costs one `lstat` per entry.
    public func rescan(path requested: String) async throws -> Duration {
        let path = FolderAPIDocuments.normalizedPath(requested)
        guard let folder = try store.folders().first(where: { $0.path == path }), let running = sessions[folder.id] else {
            throw FolderSyncError.unknownFolder(path)
        }
        guard !folder.onDemand else { throw Self.followedOnDemand(path) }
        return try await running.session.rescan()
    }

    /// The kept versions of a file of a synced folder, named by its absolute path.
    public func versions(path requested: String) async throws -> FolderAPIDocuments.Versions {
        let (folder, session, relative) = try locate(requested)
        return FolderAPIDocuments.Versions(
            path: FolderAPIDocuments.normalizedPath(requested), folder: folder.id, retentionSeconds: folder.retentionSeconds,
            versions: try await session.versions(of: relative))
    }

    /// Writes a kept version of a file back (the newest replaced one, or the one current at
    /// `at`, ms since 1970); it becomes the file's newest version on every device.
    public func restore(path requested: String, at: Int64?) async throws -> FolderAPIDocuments.Version {
        let (_, session, relative) = try locate(requested)
        return try await session.restore(relative, at: at)
    }

    /// The folder, session and relative path of a file named by its absolute path.
    private func locate(_ requested: String) throws -> (FolderIndexStore.Folder, FolderSession, String) {
        let path = FolderAPIDocuments.normalizedPath(requested)
        guard let folder = try store.folders().first(where: { path.hasPrefix($0.path + "/") }),
              let running = sessions[folder.id]
        else { throw FolderSyncError.unknownFolder(path) }
        guard !folder.onDemand else { throw Self.followedOnDemand(folder.path) }
        let relative = String(path.dropFirst(folder.path.count + 1))
        guard IndexEntry.isSafe(path: relative) else {
            throw FolderSyncError.invalidFolder(path: path, reason: "not a file path inside the folder")
        }
        return (folder, running.session, relative)
    }

    /// The merged tree of a folder (named by its path or its id): every device's newest
    /// entries, as the planner resolves them, without deletions.
    public func tree(folder requested: String) async throws -> FolderAPIDocuments.Tree {
        let path = FolderAPIDocuments.normalizedPath(requested)
        guard let folder = try store.folders().first(where: { $0.path == path || $0.id == requested }), let running = sessions[folder.id] else {
            throw FolderSyncError.unknownFolder(requested)
        }
        return await running.session.mergedTree()
    }

    public func status() async -> [FolderStatus] {
        var result: [FolderStatus] = []
        for (_, running) in sessions { result.append(running.session.status()) }
        return result.sorted { $0.path < $1.path }
    }

    private func launch(_ folder: FolderIndexStore.Folder, token: FolderToken) throws {
        let session = try FolderSession(
            path: folder.path, folderID: folder.id, token: token, network: network, store: store, timing: timing,
            retentionSeconds: folder.retentionSeconds, onDemand: folder.onDemand, logger: logger)
        sessions[folder.id] = (session, Task { await session.run() })
    }

    private func tokenPath(_ id: String) -> String { directory + "/" + id + ".token" }

    private func readToken(_ id: String) throws -> [UInt8] {
        guard let bytes = try DurableWrite.read(tokenPath(id)) else {
            throw FolderSyncError.invalidToken("the token file of folder \(id) is missing")
        }
        return bytes
    }

    /// What scans, versions and restores answer for a folder this device only follows.
    private static func followedOnDemand(_ path: String) -> FolderSyncError {
        .invalidFolder(path: path, reason: "it is followed on demand: nothing of it is on this device to scan, keep or restore")
    }

    static func validate(_ requested: String) throws(FolderSyncError) -> String {
        guard requested.hasPrefix("/") else { throw .invalidFolder(path: requested, reason: "the path must be absolute") }
        let path = FolderAPIDocuments.normalizedPath(requested)
        guard let entry = DiskEntry.lstat(path) else { throw .invalidFolder(path: path, reason: "no such directory") }
        guard entry.kind == .directory else { throw .invalidFolder(path: path, reason: "not a directory") }
        guard path != "/" else { throw .invalidFolder(path: path, reason: "the root cannot be synced") }
        return path
    }
}
