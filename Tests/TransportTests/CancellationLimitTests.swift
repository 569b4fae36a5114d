import Dispatch
import Foundation
import NIOCore
import OpenSSLKit
import Synchronization
import TestSupport
import Testing
import Transport

/// A request the caller cancels keeps counting against the connection's serving limit
/// until its work is done: request-then-cancel pairs cannot pile up work (and the 4 MiB
/// payloads it holds) beyond the limit, and other connections are answered meanwhile.
@Suite(.serialized) struct CancellationLimitTests {
    /// Method 1: holds its payload until the gate opens, ignoring cancellation, as work
    /// that cannot stop half-way (a disk write) does. Method 2: answers at once.
    final class StubbornService: RPCService {
        let running = Atomic<Int>(0)
        let mostRunning = Atomic<Int>(0)
        let gate = Mutex<[CheckedContinuation<Void, Never>]?>([])

        func open() {
            let waiting = gate.withLock { state in
                defer { state = nil }
                return state ?? []
            }
            for waiter in waiting { waiter.resume() }
        }

        func handle(_ request: RPCRequest) async throws -> ByteBuffer {
            guard request.method == 1 else { return ByteBuffer(string: "pong") }
            let now = running.add(1, ordering: .relaxed).newValue
            mostRunning.max(now, ordering: .relaxed)
            await withCheckedContinuation { waiter in
                let closed = gate.withLock { state -> Bool in
                    guard state != nil else { return false }
                    state!.append(waiter)
                    return true
                }
                if !closed { waiter.resume() }
            }
            running.subtract(1, ordering: .relaxed)
            return ByteBuffer(integer: UInt8(truncatingIfNeeded: request.payload.readableBytes))
        }
    }

    static func residentBytes() -> UInt64 {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        return (line.flatMap { UInt64($0.split(whereSeparator: { $0 == " " || $0 == "\t" })[1]) } ?? 0) * 1024
    }

    @Test func cancelledRequestsCountUntilDoneAndMemoryStaysBounded() async throws {
        let secret = try SecureRandom.bytes(count: 32)
        var configuration = TransportConfiguration()
        configuration.maximumServedRequests = 16
        let service = StubbornService()
        let server = try await TransportServer.start(
            host: "127.0.0.1", port: 0, credentials: try PeerCredentials.generate(networkSecret: secret),
            service: service, configuration: configuration, logger: testLogger)
        let connector = PeerConnector(credentials: try PeerCredentials.generate(networkSecret: secret), logger: testLogger)
        let attacker = try await connector.connect(host: "127.0.0.1", port: server.port)
        let bystander = try await connector.connect(host: "127.0.0.1", port: server.port)
        let payload = ByteBuffer(bytes: [UInt8](repeating: 0xA5, count: 4 << 20 - 64))
        let baseline = Self.residentBytes()

        func pairs(_ count: Int) async {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<count {
                    group.addTask { _ = try? await attacker.call(1, payload, timeout: TimeAmount.seconds(60)) }
                }
                group.cancelAll()
            }
        }

        // The gate is closed: whatever the attacker sends, at most 16 requests run.
        await pairs(64)
        #expect(await eventually(timeout: .seconds(10)) { service.running.load(ordering: .relaxed) == 16 })
        let overrun = await eventually(timeout: .seconds(3)) { service.mostRunning.load(ordering: .relaxed) > 16 }
        #expect(!overrun, "ran at once: \(service.mostRunning.load(ordering: .relaxed))")
        // Meanwhile another connection is answered.
        let answer = try await bystander.call(2, ByteBuffer(), timeout: TimeAmount.seconds(5))
        #expect(answer.readableBytes == 4)

        // Work that ends: 2,000 pairs of 4 MiB in all (P2P_CANCEL_PAIRS=10000 for the full
        // figure of docs/benchmarks.md), a barrier call every 64 so the
        // attacker's own queue stays small; the server's memory stays bounded.
        service.open()
        var peak: UInt64 = 0
        let total = Int(ProcessInfo.processInfo.environment["P2P_CANCEL_PAIRS"] ?? "2000") ?? 2_000
        var sent = 64
        while sent < total {
            await pairs(min(64, total - sent))
            sent += 64
            _ = try await attacker.call(2, ByteBuffer(), timeout: TimeAmount.seconds(60))
            peak = max(peak, Self.residentBytes())
        }
        #expect(service.mostRunning.load(ordering: .relaxed) <= 16)
        let growth = peak > baseline ? peak - baseline : 0
        #expect(growth < 1 << 30, "resident memory grew by \(growth >> 20) MiB")
        let after = try await bystander.call(2, ByteBuffer(), timeout: TimeAmount.seconds(5))
        #expect(after.readableBytes == 4)
        await attacker.close()
        await bystander.close()
        await server.close()
    }
}
