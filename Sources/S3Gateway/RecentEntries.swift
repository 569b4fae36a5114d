import Foundation

/// The entries a writer made since its last delta file, in write order, one per name, each
/// with its JSON encoding made once: a record carries them all, and a busy gateway
/// publishes one record per group commit, so re-encoding them for every record (and again
/// to weigh them) was most of a small write's JSON work.
struct RecentEntries<Entry: ReplicatedEntry> {
    private(set) var entries: [Entry] = []
    private var encodings: [[UInt8]] = []
    /// The JSON bytes of all the entries.
    private(set) var bytes = 0

    init() {}

    init(_ entries: [Entry]) throws {
        for entry in entries { try append(entry) }
    }

    var isEmpty: Bool { entries.isEmpty }
    var names: [String] { entries.map(\.name) }

    /// Adds `entry`, replacing an earlier entry of its name.
    mutating func append(_ entry: Entry) throws {
        let encoding = Array(try JSONEncoder().encode(entry))
        removeAll { $0.name == entry.name }
        entries.append(entry)
        encodings.append(encoding)
        bytes += encoding.count
    }

    mutating func removeAll(where shouldRemove: (Entry) -> Bool) {
        var kept = RecentEntries()
        for (entry, encoding) in zip(entries, encodings) where !shouldRemove(entry) {
            kept.entries.append(entry)
            kept.encodings.append(encoding)
            kept.bytes += encoding.count
        }
        self = kept
    }

    /// The entries as one JSON array, from the encodings made when they were added.
    var jsonArray: [UInt8] {
        var array: [UInt8] = [UInt8(ascii: "[")]
        array.reserveCapacity(bytes + entries.count + 1)
        for (index, encoding) in encodings.enumerated() {
            if index > 0 { array.append(UInt8(ascii: ",")) }
            array += encoding
        }
        array.append(UInt8(ascii: "]"))
        return array
    }
}
