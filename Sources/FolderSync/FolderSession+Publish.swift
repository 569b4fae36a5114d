import Content
import Records

extension FolderSession {
    /// Stores this device's index and announces it in a signed record with the next
    /// sequence number.
    func publishOnce() async throws {
        let index = FolderIndex(device: deviceID, entries: local.values.map(\.entry))
        let encoded = try await FileEncoder(sink: chunks, cipher: cipher).encode(index.encoded())
        try store.markStored(chunks.takePending())
        let announcement = IndexAnnouncement(
            indexCapability: encoded.capability.description, entryCount: UInt32(index.entries.count),
            publishedMilliseconds: Self.now())
        let sequence = try store.nextSequence(folder: folderID)
        let record = try SignedRecord.sign(
            key: token.recordKey, sequence: sequence,
            payload: try announcement.sealed(token: token, signer: deviceID), with: deviceKey,
            endorsement: try RecordEndorsement.endorse(signer: deviceID, by: token.ownerKey))
        try await network.publish(record)
        needPublish = false
        logger.debug("published the folder index", metadata: ["sequence": "\(sequence)", "entries": "\(index.entries.count)"])
    }
}
