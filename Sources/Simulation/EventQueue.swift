/// A binary min-heap of timed events: O(log n) push and pop. Events due at the same
/// instant come out in the order they were pushed, so a run repeats exactly.
public struct EventQueue<Payload> {
    private struct Item {
        var time: Duration
        var order: UInt64
        var payload: Payload
    }

    private var items: [Item] = []
    private var counter: UInt64 = 0

    public init() {}

    /// The number of pending events.
    public var count: Int { items.count }
    /// `true` when nothing is pending.
    public var isEmpty: Bool { items.isEmpty }
    /// The time of the earliest pending event.
    public var nextTime: Duration? { items.first?.time }

    /// Schedules `payload` at `time`.
    public mutating func push(_ payload: Payload, at time: Duration) {
        counter += 1
        items.append(Item(time: time, order: counter, payload: payload))
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) >> 1
            guard less(items[child], items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest event.
    public mutating func pop() -> (time: Duration, payload: Payload)? {
        guard !items.isEmpty else { return nil }
        let last = items.count - 1
        items.swapAt(0, last)
        let top = items.removeLast()
        var parent = 0
        let count = items.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            let right = left + 1
            let smaller = right < count && less(items[right], items[left]) ? right : left
            guard less(items[smaller], items[parent]) else { break }
            items.swapAt(parent, smaller)
            parent = smaller
        }
        return (top.time, top.payload)
    }

    @inline(__always)
    private func less(_ a: Item, _ b: Item) -> Bool {
        a.time < b.time || (a.time == b.time && a.order < b.order)
    }
}
