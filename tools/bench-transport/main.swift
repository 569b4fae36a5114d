// bench-transport [--in-process] [--bytes N] [--seconds S]
// bench-transport serve SECRET_HEX        (the server child; started by the line above)
//
// Measures one admitted peer connection on loopback: bulk throughput (1 MiB sink calls,
// 16 in flight) and small echo calls (32 bytes, 64 in flight). The server runs as a child
// process of this binary unless --in-process. Prints `key=value` lines for tools/bench.
import Foundation
import Logging
import NIOCore
import OpenSSLKit
import Transport

var logger = Logger(label: "bench-transport")
logger.logLevel = .warning

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "serve", arguments.count == 2 {
    try await serve(secretHex: arguments[1], logger: logger)
}

@MainActor func option(_ name: String, default value: Double) -> Double {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let parsed = Double(arguments[index + 1]) else {
        return value
    }
    return parsed
}

let inProcess = arguments.contains("--in-process")
let total = Int(option("--bytes", default: Double(1 << 30)))
let smallSeconds = option("--seconds", default: 3)
let payloadSize = 1 << 20
let window = 16

do {
    let secret = try SecureRandom.bytes(count: 32)
    let clientCredentials = try PeerCredentials.generate(networkSecret: secret)
    var child: ServerProcess?
    var localServer: TransportServer?
    let port: Int
    if inProcess {
        let serverCredentials = try PeerCredentials.generate(networkSecret: secret)
        localServer = try await TransportServer.start(
            host: "127.0.0.1", port: 0, credentials: serverCredentials, service: BenchService(), logger: logger)
        port = localServer!.port
        print("cipher=\(try negotiatedCipher(clientCredentials, serverCredentials))")
    } else {
        child = try ServerProcess(secretHex: secret.hex)
        port = child!.port
        print("cipher=\(try negotiatedCipher(clientCredentials, try PeerCredentials.generate(networkSecret: secret)))")
    }
    print("server=\(inProcess ? "in-process" : "child-process")")
    let connection = try await PeerConnector(credentials: clientCredentials, logger: logger).connect(host: "127.0.0.1", port: port)

    // Warm up buffers, allocator and CPU frequency before timing.
    _ = try await bulkTransfer(connection, total: 64 << 20, payloadSize: payloadSize, window: window)
    let bulkSeconds = try await bulkTransfer(connection, total: total, payloadSize: payloadSize, window: window)
    print("bulk_bytes=\(total)")
    print("bulk_seconds=\(String(format: "%.3f", bulkSeconds))")
    print("bulk_mib_per_s=\(String(format: "%.1f", Double(total) / bulkSeconds / 1_048_576))")

    _ = try await smallCalls(connection, payloadSize: 32, concurrency: 64, seconds: 0.5)
    let rate = try await smallCalls(connection, payloadSize: 32, concurrency: 64, seconds: smallSeconds)
    print("small_rpc_per_s=\(String(format: "%.0f", rate))")

    await connection.close()
    await localServer?.close()
    child?.stop()
} catch {
    FileHandle.standardError.write(Data("bench-transport: \(error)\n".utf8))
    exit(1)
}
