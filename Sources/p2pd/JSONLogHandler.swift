import Foundation
import Logging
import Synchronization

/// `p2pd run --log-format json`: one JSON object per line on stderr, for journald, Loki or
/// jq: `{"time":"…","level":"info","label":"p2pd","source":"Peer","message":"…","metadata":{…}}`.
/// Keys are sorted; metadata values are their text. Lines are written whole, one at a time.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    private static let output = Mutex(())

    init(label: String) {
        self.label = label
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        var record: [String: AnyEncodable] = [
            "time": AnyEncodable(Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(Date())),
            "level": AnyEncodable(event.level.rawValue),
            "label": AnyEncodable(label),
            "source": AnyEncodable(event.source),
            "message": AnyEncodable(event.message.description),
        ]
        if !merged.isEmpty { record["metadata"] = AnyEncodable(merged.mapValues { "\($0)" }) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let line = try? encoder.encode(record) else { return }
        Self.output.withLock { _ in FileHandle.standardError.write(line + Data([0x0A])) }
    }
}

/// A value of one of the few types a log record holds.
private struct AnyEncodable: Encodable {
    let encode: (any Encoder) throws -> Void
    init(_ value: some Encodable) { encode = value.encode(to:) }
    func encode(to encoder: any Encoder) throws { try encode(encoder) }
}
