import Content
import Synchronization
import Testing
import TestSupport
@testable import Peer

/// The release fence (docs/gc.md): `p2p rm` of one file racing a put of another that shares
/// chunks with it. The removal must neither release a chunk the put uses nor end, on a
/// holder, the lease the put has just taken there.
@Suite struct ReleaseFenceTests {
    let shared = ChunkID(hashing: [1]), other = ChunkID(hashing: [2]), third = ChunkID(hashing: [3])

    @Test func aChunkAPutInFlightClaimedIsLeftOutOfTheRelease() async {
        let fence = ReleaseFence()
        await fence.claim(shared)
        let released = await fence.releasing([shared, other]) { $0 }
        #expect(released == [other])
        // Two puts claim it; it is released only once both ended their claims.
        await fence.claim(shared)
        await fence.unclaim([shared])
        #expect(await fence.releasing([shared]) { $0 }.isEmpty)
        await fence.unclaim([shared, third])
        #expect(await fence.releasing([shared]) { $0 } == [shared])
    }

    /// What happened, in order.
    final class Events: Sendable {
        private let list = Mutex<[String]>([])
        func add(_ event: String) { list.withLock { $0.append(event) } }
        var all: [String] { list.withLock { $0 } }
    }

    @Test func aPutThatClaimsAChunkBeingReleasedWaitsUntilTheReleaseWasDelivered() async throws {
        let fence = ReleaseFence()
        let events = Events()
        let shared = shared, other = other
        // The put starts while the release is on its way to the holders.
        let delivering = Task {
            await fence.releasing([shared]) { ids in
                let waits = await eventually { await fence.waitingPuts == 1 }
                // Another put, of chunks the release does not hold, goes on at once.
                await fence.claim(other)
                events.add(waits ? "release delivered" : "the put never waited")
                return ids
            }
        }
        let put = Task {
            // Claimed only once the release above is fenced: wait for it to be.
            _ = await eventually { await fence.isFencing(shared) }
            await fence.claim(shared)
            events.add("put claimed")
        }
        #expect(await delivering.value == [shared])
        await put.value
        #expect(events.all == ["release delivered", "put claimed"])
        // The put's claim now keeps the chunk out of a later release.
        #expect(await fence.releasing([shared]) { $0 }.isEmpty)
    }
}
