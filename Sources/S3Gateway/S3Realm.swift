import Content
import Foundation
import Logging
import OpenSSLKit

/// The network's S3 state as one peer sees it: the bucket registry, the access keys, and one
/// replicated index per bucket (docs/s3.md). Every peer has one, whether or not it serves
/// the gateway: `p2p s3 key create` works on any peer.
public actor S3Realm {
    let network: any S3Network
    let references: ReferenceCounter
    private let logger: Logger
    private let registry: ReplicatedMap<BucketEntry>
    private let keyMap: ReplicatedMap<AccessKeyEntry>
    private var indexes: [String: ReplicatedMap<ObjectEntry>] = [:]
    private var tasks: [Task<Void, Never>] = []
    /// Set once every bucket's index has been read: releases wait for it, because a file
    /// may be used by an object of a bucket not read yet.
    private var everyIndexRead = false

    public init(network: any S3Network, logger: Logger, releaseQuiet: TimeInterval = 60) throws {
        self.network = network
        self.logger = logger
        references = ReferenceCounter(quiet: releaseQuiet)
        let buckets = try RealmKeys.owner("buckets"), keys = try RealmKeys.owner("keys")
        registry = ReplicatedMap(recordKey: RealmKeys.recordKey(owner: buckets), owner: buckets, network: network, logger: logger)
        keyMap = ReplicatedMap(recordKey: RealmKeys.recordKey(owner: keys), owner: keys, network: network, logger: logger)
    }

    // MARK: Buckets

    /// The live buckets, by name.
    public func buckets() async throws -> [BucketEntry] {
        if !(await registry.loaded) { try await registry.refresh() }
        return await registry.sortedLive().map(\.entry)
    }

    /// The bucket, read again from the network when this peer does not know it yet.
    public func bucket(_ name: String) async throws -> BucketEntry? {
        if let entry = await registry.entry(name) { return entry }
        try await registry.refresh()
        return await registry.entry(name)
    }

    /// Creates the bucket; false when it already exists.
    public func createBucket(_ name: String, region: String) async throws -> Bool {
        guard try await bucket(name) == nil else { return false }
        try await registry.write(BucketEntry(
            name: name, version: EntryVersion(time: 0, writer: 0), deleted: false, created: Self.milliseconds(), region: region))
        _ = try await index(name)
        return true
    }

    /// Deletes an empty bucket; false when it has objects.
    public func deleteBucket(_ name: String) async throws -> Bool {
        let objects = try await index(name)
        try await objects.refresh()
        guard await objects.liveCount == 0 else { return false }
        guard let entry = await registry.entry(name) else { return true }
        var deleted = entry
        deleted.deleted = true
        try await registry.write(deleted)
        return true
    }

    /// The replicated index of a bucket's objects.
    func index(_ bucket: String) async throws -> ReplicatedMap<ObjectEntry> {
        if let index = indexes[bucket] { return index }
        let owner = try RealmKeys.owner("bucket \(bucket)")
        let references = references
        let index = ReplicatedMap<ObjectEntry>(
            recordKey: RealmKeys.recordKey(owner: owner), owner: owner, network: network, logger: logger,
            observer: { old, new in references.changed(from: old, to: new) })
        indexes[bucket] = index
        try await index.refresh()
        watch(index)
        return index
    }

    // MARK: Access keys

    /// A new access key: `P2P` and 17 base-32 characters, and a 40-character secret.
    public func createKey(label: String, buckets: [String]) async throws -> AccessKeyEntry {
        let id = "P2P" + Self.randomText(17, alphabet: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"))
        let secret = Self.randomText(40, alphabet: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"))
        return try await keyMap.write(AccessKeyEntry(
            name: id, version: EntryVersion(time: 0, writer: 0), deleted: false, secret: secret, label: label,
            created: Self.milliseconds(), buckets: buckets))
    }

    public func keys() async throws -> [AccessKeyEntry] {
        try await keyMap.refresh()
        return await keyMap.sortedLive().map(\.entry)
    }

    /// Deletes a key; false when there is none with that id.
    public func deleteKey(_ id: String) async throws -> Bool {
        try await keyMap.refresh()
        guard var entry = await keyMap.entry(id) else { return false }
        entry.deleted = true
        try await keyMap.write(entry)
        return true
    }

    /// The key with `id`, read again from the network when this peer does not know it (a
    /// key made on another peer a moment ago).
    public func key(_ id: String) async throws -> AccessKeyEntry? {
        if let entry = await keyMap.entry(id) { return entry }
        try await keyMap.refresh()
        return await keyMap.entry(id)
    }

    // MARK: Running

    /// Reads the registry and every bucket's index, then follows changes and releases the
    /// files no object uses. Returns at once; `stop()` ends the work.
    public func start() {
        tasks.append(Task { await self.load() })
        tasks.append(Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(10))
                await self.refreshAll()
                await self.releaseUnused()
            }
        })
        watch(registry)
        watch(keyMap)
    }

    public func stop() {
        for task in tasks { task.cancel() }
        tasks = []
    }

    private func load() async {
        var delay = Duration.milliseconds(200)
        while !Task.isCancelled {
            do {
                try await registry.refresh()
                try await keyMap.refresh()
                for bucket in await registry.sortedLive() { _ = try await index(bucket.key) }
                everyIndexRead = true
                return
            } catch {
                logger.debug("S3 state not readable yet", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }

    private func refreshAll() async {
        try? await registry.refresh()
        try? await keyMap.refresh()
        for index in indexes.values { try? await index.refresh() }
    }

    /// Ends this peer's references to files no live object has used for a while.
    func releaseUnused() async {
        guard everyIndexRead else { return }
        let due = references.releasable()
        logger.debug("S3 release pass", metadata: ["files": "\(due.count)"])
        for text in due {
            guard references.count(text) == 0, let capability = try? Capability(parsing: text) else { continue }
            do {
                if try await network.release(capability, as: .object) { logger.info("released the file of a removed S3 object") }
            } catch {
                logger.warning("releasing an S3 object's file failed", metadata: ["error": "\(error)"])
                references.touch(text)
            }
        }
    }

    /// Reads `map` again whenever one of its holders reports a newer record.
    private func watch<Entry>(_ map: ReplicatedMap<Entry>) {
        let news = network.subscribe(key: map.recordKey)
        tasks.append(Task {
            for await _ in news {
                await map.refreshSoon()
            }
        })
    }

    static func milliseconds() -> Int64 {
        Int64(Date().timeIntervalSince1970 * 1000)
    }

    private static func randomText(_ count: Int, alphabet: [Character]) -> String {
        let bytes = (try? SecureRandom.bytes(count: count)) ?? []
        precondition(bytes.count == count, "the system random source failed")
        return String(bytes.map { alphabet[Int($0) % alphabet.count] })
    }
}
