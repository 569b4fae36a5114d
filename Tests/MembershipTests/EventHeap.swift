/// A binary min-heap of timed events; ties break by insertion order so runs repeat.
struct EventHeap<Payload> {
    private var items: [(time: Duration, order: UInt64, payload: Payload)] = []
    private var counter: UInt64 = 0

    var isEmpty: Bool { items.isEmpty }
    var nextTime: Duration? { items.first?.time }

    mutating func push(_ payload: Payload, at time: Duration) {
        counter += 1
        items.append((time, counter, payload))
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(child, parent) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (time: Duration, payload: Payload)? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < items.count, less(left, smallest) { smallest = left }
            if right < items.count, less(right, smallest) { smallest = right }
            guard smallest != parent else { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return (top.time, top.payload)
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        (items[a].time, items[a].order) < (items[b].time, items[b].order)
    }
}
