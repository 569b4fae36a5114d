import Logging
import Synchronization

/// Keeps the messages logged through its loggers, to assert that input was refused with
/// a logged reason.
final class CapturedLogs: Sendable {
    private let messages = Mutex<[String]>([])

    var all: [String] { messages.withLock { $0 } }

    func logger() -> Logger {
        Logger(label: "p2pstore.test.sync") { _ in Handler(logs: self) }
    }

    private struct Handler: LogHandler {
        let logs: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            logs.messages.withLock { $0.append(event.message.description) }
        }
    }
}
