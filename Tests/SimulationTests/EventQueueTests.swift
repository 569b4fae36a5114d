import Simulation
import Testing

@Suite struct EventQueueTests {
    @Test func popsInTimeOrderAndTiesInPushOrder() {
        var queue = EventQueue<Int>()
        var random = SimulationRandom(seed: 3)
        var expected = [(Duration, Int)]()
        for index in 0..<2_000 {
            let time = Duration.milliseconds(Int(random.next() % 50))
            queue.push(index, at: time)
            expected.append((time, index))
        }
        expected.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        var popped = [(Duration, Int)]()
        while let next = queue.pop() { popped.append((next.time, next.payload)) }
        #expect(popped.map(\.1) == expected.map(\.1))
        #expect(queue.isEmpty)
    }
}
