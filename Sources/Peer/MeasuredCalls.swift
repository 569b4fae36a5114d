import NIOCore
import Transport

/// `PeerCalls` that time every small request answered by the member expected, into
/// `PeerLatencies`. Big payloads are left out: their time is the link's bandwidth and the
/// callee's disk, not how far the peer is.
struct MeasuredCalls: PeerCalls {
    let calls: any PeerCalls
    let latencies: PeerLatencies
    /// Requests and answers up to this size, together, are timed.
    static let largestTimedBytes = 16 << 10

    func call(_ method: PeerMethod, _ payload: ByteBuffer, at address: String, expecting expected: NodeID?, timeout: TimeAmount) async throws
        -> ByteBuffer
    {
        let clock = ContinuousClock()
        let start = clock.now
        let answer = try await calls.call(method, payload, at: address, expecting: expected, timeout: timeout)
        if let expected, payload.readableBytes + answer.readableBytes <= Self.largestTimedBytes {
            latencies.record(clock.now - start, for: expected)
        }
        return answer
    }
}
