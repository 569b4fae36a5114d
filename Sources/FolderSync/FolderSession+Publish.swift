import Content
import Records

extension FolderSession {
    /// Stores this device's index as a tree of pages and announces its root in a signed
    /// record with the next sequence number. Only pages not stored before travel: after
    /// one change, the changed leaf and the pages above it (docs/sync.md).
    func publishOnce() async throws {
        // Back from an absence: what the others deleted meanwhile goes first (`FolderSession+Away`).
        try beginAwayCheckIfDue()
        guard awayCheck == nil else { return }
        let index = FolderIndex(device: deviceID, entries: local.values.map(\.entry))
        let tree = IndexTreeBuilder(seed: pageSeed, cipher: cipher).build(index.entries)
        let chunks = chunks
        let written = try await Self.concurrently(tree.pages, limit: Self.smallFilesInParallel) { page in
            try await chunks.storeIfNew(id: page.reference.id, bytes: page.ciphertext) ? page.ciphertext.count : nil
        }.compactMap { $0 }
        try store.markStored(chunks.takePending())
        // The tree's pages stay as long as it is this device's newest; earlier trees' go.
        let released = try await network.referenceIndex(folder: folderID, pages: tree.pages.map(\.reference.id)).map(\.bytes)
        chunks.forget(released)
        try store.forgetStored(released)
        indexBytesPublished += written.reduce(0, +)
        indexPagesPublished += written.count
        let announcement = IndexAnnouncement(
            location: .pages(root: tree.root), entryCount: UInt32(index.entries.count), publishedMilliseconds: Self.now())
        let sequence = try store.nextSequence(folder: folderID)
        let record = try SignedRecord.sign(
            key: token.recordKey, sequence: sequence,
            payload: try announcement.sealed(token: token, signer: deviceID), with: deviceKey,
            endorsement: try RecordEndorsement.endorse(signer: deviceID, by: token.ownerKey))
        try await network.publish(record)
        needPublish = false
        lastPublished = announcement.publishedMilliseconds
        try store.markPublished(folder: folderID, at: lastPublished)
        changedSincePublish = []
        awayChecked = false
        logger.debug("published the folder index", metadata: [
            "sequence": "\(sequence)", "entries": "\(index.entries.count)", "pages": "\(tree.pages.count)",
            "new pages": "\(written.count)", "new bytes": "\(written.reduce(0, +))",
        ])
    }
}
