import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Places tests may use: a fresh directory of their own, a loopback port nothing listens on.
public enum Scratch {
    /// A new, empty directory under the system's temporary directory; the caller removes it.
    public static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "p2pd-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A port on 127.0.0.1 that nothing holds, below the kernel's ephemeral range when there
    /// is room: a port the kernel hands out for binding port 0 is also one it may give the
    /// next outgoing connection, and a daemon started a moment later then finds its port
    /// taken by its neighbours' connections (seen once in a full run). Never the same port
    /// twice in a process.
    public static func freePort() throws -> Int {
        let (low, _) = ephemeralRange()
        if low > lowestPort + 1_000 {
            for _ in 0..<200 {
                let port = Int.random(in: lowestPort..<low)
                if handedOut.withLock({ $0.contains(port) }) || !canBind(port) { continue }
                if handedOut.withLock({ $0.insert(port).inserted }) { return port }
            }
        }
        return try bound(port: 0)
    }

    /// The lowest port `freePort` picks (above the well-known and registered services most
    /// machines run).
    static let lowestPort = 20_000
    private static let handedOut = Mutex<Set<Int>>([])

    /// `ip_local_port_range`, or Linux's default when it cannot be read.
    static func ephemeralRange() -> (low: Int, high: Int) {
        guard let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8) else {
            return (32_768, 60_999)
        }
        let numbers = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        return numbers.count == 2 ? (numbers[0], numbers[1]) : (32_768, 60_999)
    }

    private static func canBind(_ port: Int) -> Bool {
        (try? bound(port: port)) != nil
    }

    /// Binds a TCP socket on 127.0.0.1 to `port`, closes it, and returns the port bound.
    private static func bound(port: Int) throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ScratchError.socket(errno) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        guard result == 0 else { throw ScratchError.bind(errno) }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Why `Scratch.freePort` found no port.
public enum ScratchError: Error {
    case socket(Int32)
    case bind(Int32)
}
