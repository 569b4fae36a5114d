import OpenSSLKit
import Synchronization

/// The Ed25519 signatures this process has already verified. One record write is looked at
/// many times: by the writer before it sends, by each of the N holders, by every reader of
/// each holder's copy (a gateway or a device following the key) — and each look checks two
/// signatures, the record's and its endorsement's. At about 100 µs a verification here,
/// that was a millisecond of CPU per write; with this memo each distinct signature costs
/// one verification per process.
///
/// An entry is the SHA-256 of (public key, signature, message), so a hit means the same
/// three values that verified before; only signatures that verified are remembered, and
/// the oldest entry makes room when the memo is full.
final class VerifiedSignatures: Sendable {
    static let shared = VerifiedSignatures(capacity: 16_384)

    private struct State {
        var known: Set<[UInt8]> = []
        var order: [[UInt8]] = []
        var next = 0
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// True only for a valid signature of `message` by `publicKey`.
    func isValid(_ signature: [UInt8], for message: [UInt8], by publicKey: Ed25519PublicKey) -> Bool {
        let entry = Self.entry(signature, message, publicKey)
        if state.withLock({ $0.known.contains(entry) }) { return true }
        guard publicKey.isValidSignature(signature, for: message) else { return false }
        remember(entry)
        return true
    }

    /// Remembers a signature this process just made with the private key of `publicKey`
    /// (the writer of a record need not check its own signature again).
    func remember(_ signature: [UInt8], for message: [UInt8], by publicKey: Ed25519PublicKey) {
        remember(Self.entry(signature, message, publicKey))
    }

    private func remember(_ entry: [UInt8]) {
        state.withLock { state in
            guard state.known.insert(entry).inserted else { return }
            if state.order.count < capacity {
                state.order.append(entry)
            } else {
                state.known.remove(state.order[state.next])
                state.order[state.next] = entry
                state.next = (state.next + 1) % capacity
            }
        }
    }

    /// How many signatures are remembered (tests).
    var count: Int { state.withLock { $0.known.count } }

    private static func entry(_ signature: [UInt8], _ message: [UInt8], _ publicKey: Ed25519PublicKey) -> [UInt8] {
        let hasher = SHA256()
        hasher.update(publicKey.rawRepresentation)
        hasher.update(signature)
        hasher.update(message)
        return hasher.finalize()
    }
}
