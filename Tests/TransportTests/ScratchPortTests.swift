import Foundation
@testable import TestSupport
import Testing

/// The ports tests give their daemons: free, never handed out twice, and out of the range
/// the kernel takes ports from for outgoing connections, so that a peer's neighbours cannot
/// take its port between the pick and its bind.
@Suite struct ScratchPortTests {
    @Test func portsAreFreeDistinctAndBelowTheEphemeralRange() throws {
        let (low, _) = Scratch.ephemeralRange()
        let ports = try (0..<200).map { _ in try Scratch.freePort() }
        #expect(Set(ports).count == ports.count)
        if low > Scratch.lowestPort + 1_000 {
            #expect(ports.allSatisfy { $0 >= Scratch.lowestPort && $0 < low }, "\(ports.filter { $0 >= low })")
        }
        // Each can be listened on.
        for port in ports.prefix(20) {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(descriptor) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            #expect(bound == 0 && listen(descriptor, 1) == 0, "port \(port)")
        }
    }
}
