/// Updates waiting to be piggy-backed, at most one per member (a newer update about a
/// member replaces the older one). Each packet takes the least-transmitted updates
/// first, and an update is dropped after the retransmit limit — memberlist's
/// TransmitLimitedQueue, with buckets per transmit count so a take costs O(taken).
struct BroadcastQueue: Sendable {
    private struct Entry: Sendable {
        var update: MemberUpdate
        var transmits: Int
        var generation: UInt64
    }

    private struct Ticket: Sendable {
        var id: MemberID
        var generation: UInt64
    }

    private var entries: [MemberID: Entry] = [:]
    /// `buckets[t]` holds tickets of entries transmitted `t` times; stale tickets (whose
    /// generation no longer matches) are skipped lazily.
    private var buckets: [[Ticket]] = [[]]
    private var generation: UInt64 = 0

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    mutating func enqueue(_ update: MemberUpdate) {
        generation += 1
        let id = update.memberID
        entries[id] = Entry(update: update, transmits: 0, generation: generation)
        buckets[0].append(Ticket(id: id, generation: generation))
    }

    /// Takes up to `maximum` updates, newest first among the least transmitted, and
    /// counts one transmission for each.
    mutating func take(maximum: Int, transmitLimit: Int) -> [MemberUpdate] {
        guard !entries.isEmpty, maximum > 0 else { return [] }
        var taken = [MemberUpdate]()
        var promoted = [(bucket: Int, ticket: Ticket)]()
        var bucket = 0
        while bucket < buckets.count, taken.count < maximum {
            guard let ticket = buckets[bucket].popLast() else {
                bucket += 1
                continue
            }
            guard var entry = entries[ticket.id], entry.generation == ticket.generation else { continue }
            taken.append(entry.update)
            entry.transmits += 1
            if entry.transmits >= transmitLimit {
                entries[ticket.id] = nil
            } else {
                entries[ticket.id] = entry
                promoted.append((entry.transmits, ticket))
            }
        }
        for (target, ticket) in promoted {
            while buckets.count <= target { buckets.append([]) }
            buckets[target].append(ticket)
        }
        compactIfSparse()
        return taken
    }

    /// Stale tickets pile up when updates are replaced faster than sent; rebuild the
    /// buckets when they far outnumber live entries.
    private mutating func compactIfSparse() {
        let tickets = buckets.reduce(0) { $0 + $1.count }
        guard tickets > 64, tickets > 4 * entries.count else { return }
        var rebuilt = [[Ticket]](repeating: [], count: buckets.count)
        for bucket in buckets.indices {
            for ticket in buckets[bucket] where entries[ticket.id]?.generation == ticket.generation {
                rebuilt[bucket].append(ticket)
            }
        }
        buckets = rebuilt
    }
}
