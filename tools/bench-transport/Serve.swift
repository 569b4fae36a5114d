import Foundation
import Logging
import Transport

/// `bench-transport serve SECRET_HEX`: listens on 127.0.0.1, prints `port N`, serves
/// `BenchService` until stdin reaches end of file.
func serve(secretHex: String, logger: Logger) async throws -> Never {
    let credentials = try PeerCredentials.generate(networkSecret: Array(hex: secretHex))
    let server = try await TransportServer.start(
        host: "127.0.0.1", port: 0, credentials: credentials, service: BenchService(), logger: logger)
    // Through the file handle, unbuffered: the parent waits for this line.
    FileHandle.standardOutput.write(Data("port \(server.port)\n".utf8))
    _ = FileHandle.standardInput.readDataToEndOfFile()
    exit(0)
}

extension Array where Element == UInt8 {
    init(hex: String) {
        let digits = Array(hex.utf8)
        self = stride(from: 0, to: digits.count - 1, by: 2).map { UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16)! }
    }

    var hex: String { map { String(format: "%02x", $0) }.joined() }
}
