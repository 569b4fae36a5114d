import NIOCore
import Records

/// The record RPCs as typed requests (methods 0x03xx).
extension RecordMessages {
    /// Store a signed record; the answer is the sequence the callee now keeps.
    struct Store: PeerRequest {
        static let method = PeerMethod.storeRecord
        let payload: ByteBuffer

        init(_ record: SignedRecord) {
            payload = RecordMessages.store(record)
        }

        func response(from answer: ByteBuffer) throws(ChunkMessageError) -> UInt64 {
            try RecordMessages.parseStored(answer)
        }
    }

    /// One page of the records held under `key`, after signer `after`.
    struct Fetch: PeerRequest {
        static let method = PeerMethod.fetchRecords
        let payload: ByteBuffer

        init(key: [UInt8], after signer: [UInt8]?) {
            payload = RecordMessages.fetch(key: key, after: signer)
        }

        func response(from answer: ByteBuffer) throws(ChunkMessageError) -> (records: [SignedRecord], more: Bool) {
            try RecordMessages.parsePage(answer)
        }
    }

    /// Grant, renew (or with 0 s cancel) the caller's lease on news of `key`; the answer is empty.
    struct Subscribe: PeerRequest {
        static let method = PeerMethod.subscribeRecords
        let payload: ByteBuffer

        init(key: [UInt8], leaseSeconds: UInt32) {
            payload = RecordMessages.subscribe(key: key, leaseSeconds: leaseSeconds)
        }
    }

    /// News of `key` for a subscriber; the answer is empty (404 once it no longer listens).
    struct Notify: PeerRequest {
        static let method = PeerMethod.notifyRecord
        let payload: ByteBuffer

        init(key: [UInt8]) {
            payload = RecordMessages.notify(key: key)
        }
    }
}
