import Logging
import NIOConcurrencyHelpers

/// Collects every log record of the loggers it makes, so tests can assert that a
/// connection was closed *with a logged reason*.
final class LogCapture: Sendable {
    struct Record: Sendable, CustomStringConvertible {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]

        var description: String {
            ([message] + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
        }
    }

    private let records = NIOLockedValueBox<[Record]>([])

    func logger(label: String = "p2pstore.test.captured", level: Logger.Level = .debug) -> Logger {
        var logger = Logger(label: label) { _ in Handler(capture: self) }
        logger.logLevel = level
        return logger
    }

    var all: [Record] { records.withLockedValue { $0 } }

    /// Records of the connection whose server-side `remote` metadata is `remote`.
    func records(remote: String) -> [Record] {
        all.filter { $0.metadata["remote"] == remote }
    }

    fileprivate func append(_ record: Record) {
        records.withLockedValue { $0.append(record) }
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
