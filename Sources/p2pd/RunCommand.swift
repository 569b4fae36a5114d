import ArgumentParser
import Foundation
import Logging
import Peer

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the peer in the foreground; SIGINT or SIGTERM stops it gracefully.")
    @OptionGroup var home: HomeOption
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error, critical (default: config).")
    var logLevel: String?

    func run() async throws {
        let peerHome = home.peerHome
        let configuration = try peerHome.configuration()
        let levelName = logLevel ?? configuration.logLevel
        guard let level = Logger.Level(rawValue: levelName) else { throw PeerHomeError.badSetting("unknown log level \(levelName)") }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "p2pd")
        let node = try PeerNode(home: peerHome, logger: logger)
        _ = try await node.start()

        let stop = SignalWaiter()
        let seeds = Task {
            while !Task.isCancelled {
                await node.contactSeeds()
                try? await Task.sleep(for: .seconds(2))  // a retry period, not synchronization
            }
        }
        let signal = await stop.wait()
        logger.info("stopping", metadata: ["signal": "\(signal)"])
        seeds.cancel()
        await node.stop()
    }
}

/// Waits for SIGINT or SIGTERM.
final class SignalWaiter: Sendable {
    func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            let queue = DispatchQueue(label: "p2pd.signals")
            let resumed = ResumeOnce(continuation)
            for number in [SIGINT, SIGTERM] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler { resumed.resume(number) }
                source.resume()
                resumed.keep(source)
            }
        }
    }
}

/// Resumes a continuation once, and keeps the signal sources alive until then.
private final class ResumeOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Int32, Never>?
    private var sources: [DispatchSourceSignal] = []

    init(_ continuation: CheckedContinuation<Int32, Never>) { self.continuation = continuation }

    func keep(_ source: DispatchSourceSignal) { lock.withLock { sources.append(source) } }

    func resume(_ value: Int32) {
        let pending = lock.withLock { () -> CheckedContinuation<Int32, Never>? in
            defer { continuation = nil }
            return continuation
        }
        pending?.resume(returning: value)
    }
}
