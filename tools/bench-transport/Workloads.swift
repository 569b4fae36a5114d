import Dispatch
import NIOCore
import Transport

/// Bulk: `total` bytes as 1 MiB sink calls, `window` of them in flight. Returns seconds.
func bulkTransfer(_ connection: PeerConnection, total: Int, payloadSize: Int, window: Int) async throws -> Double {
    var payload = ByteBuffer()
    payload.writeRepeatingByte(0x5A, count: payloadSize)
    let calls = total / payloadSize
    let start = DispatchTime.now().uptimeNanoseconds
    try await withThrowingTaskGroup(of: Void.self) { group in
        for lane in 0..<window {
            group.addTask { [payload] in
                for _ in stride(from: lane, to: calls, by: window) {
                    _ = try await connection.call(BenchService.sink, payload)
                }
            }
        }
        try await group.waitForAll()
    }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Small round trips: `concurrency` callers echo `payloadSize` bytes for `seconds`.
/// Returns completed calls per second.
func smallCalls(_ connection: PeerConnection, payloadSize: Int, concurrency: Int, seconds: Double) async throws -> Double {
    var payload = ByteBuffer()
    payload.writeRepeatingByte(0x11, count: payloadSize)
    let start = DispatchTime.now().uptimeNanoseconds
    let end = start + UInt64(seconds * 1e9)
    let completed = try await withThrowingTaskGroup(of: Int.self) { group in
        for _ in 0..<concurrency {
            group.addTask { [payload] in
                var count = 0
                while DispatchTime.now().uptimeNanoseconds < end {
                    let answer = try await connection.call(BenchService.echo, payload)
                    guard answer.readableBytes == payloadSize else { throw BenchError("echo returned \(answer.readableBytes) bytes") }
                    count += 1
                }
                return count
            }
        }
        return try await group.reduce(0, +)
    }
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return Double(completed) / elapsed
}
