import Foundation

/// `bench-transport serve` run as a child process, so client and server each have
/// their own process and event loops, as in the Python reference.
final class ServerProcess {
    let port: Int
    private let process: Process
    private let input: Pipe

    /// Starts the child and waits for the port it prints.
    init(secretHex: String) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = ["serve", secretHex]
        input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            guard !byte.isEmpty else { throw BenchError("server child exited before printing its port") }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("port "), let port = Int(text.dropFirst(5)) else { throw BenchError("server child said \(text)") }
        self.port = port
    }

    /// Closes the child's stdin (its signal to exit) and waits for it.
    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
