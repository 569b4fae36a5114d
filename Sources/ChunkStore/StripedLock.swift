import Synchronization

/// Serializes the short critical sections that change one chunk's state (publish, delete,
/// quarantine) without a global lock: ids map onto 256 independent mutexes.
///
/// Only publication (rename + directory sync + index row) runs under a stripe; writing and
/// syncing the temp file and all reads run outside, so unrelated chunks never wait on each other.
final class StripedLock: Sendable {
    private final class Stripe: Sendable {
        let mutex = Mutex<Void>(())
    }

    private let stripes: [Stripe]

    init() {
        stripes = (0..<256).map { _ in Stripe() }
    }

    func withLock<Result: Sendable, E: Error>(
        for id: StoredChunkID, _ body: () throws(E) -> Result
    ) throws(E) -> Result {
        // Bytes 0-1 pick the directory; byte 2 is just as uniform and spreads a directory's ids.
        let stripe = stripes[Int(id.bytes[2])]
        return try stripe.mutex.withLock { _ throws(E) -> Result in try body() }
    }
}
