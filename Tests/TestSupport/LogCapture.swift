import Logging
import Synchronization

/// Collects every log record of the loggers it makes, so tests can assert that input was
/// refused or dropped *with a logged reason*.
public final class LogCapture: Sendable {
    public struct Record: Sendable, CustomStringConvertible {
        public let level: Logger.Level
        public let message: String
        public let metadata: [String: String]

        public var description: String {
            ([message] + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
        }
    }

    private let records = Mutex<[Record]>([])

    public init() {}

    public func logger(label: String = "p2pstore.test.captured", level: Logger.Level = .debug) -> Logger {
        var logger = Logger(label: label) { _ in Handler(capture: self) }
        logger.logLevel = level
        return logger
    }

    public var all: [Record] { records.withLock { $0 } }

    /// Records of the connection whose server-side `remote` metadata is `remote`.
    public func records(remote: String) -> [Record] {
        all.filter { $0.metadata["remote"] == remote }
    }

    /// Whether some record's message or metadata mentions `text`.
    public func mentions(_ text: String) -> Bool {
        all.contains { $0.description.contains(text) }
    }

    fileprivate func append(_ record: Record) {
        records.withLock { $0.append(record) }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append(Record(level: event.level, message: event.message.description, metadata: merged.mapValues { "\($0)" }))
        }
    }
}
