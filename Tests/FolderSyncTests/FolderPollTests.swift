import Synchronization
import Testing
import Workers
@testable import FolderSync

/// A folder's poll worker: the first run only waits (the session scanned and pulled as it
/// started), every later one asks for a pull, a rescan every rescan interval and a
/// republish every republish interval — counted in poll intervals, not wall time.
@Suite struct FolderPollTests {
    @Test func pullsEveryPollRescansAndRepublishesWhenDue() async {
        var timing = SyncTiming()
        timing.pollInterval = .seconds(10)
        timing.rescanInterval = .seconds(30)
        timing.republishInterval = .seconds(60)
        let pokes = Mutex<[(scan: Bool, pull: Bool, publish: Bool)]>([])
        let poll = FolderPoll(timing: timing) { scan, pull, publish in pokes.withLock { $0.append((scan, pull, publish)) } }
        for _ in 0...6 { #expect(await poll.work() == .idle(.seconds(10))) }
        let seen = pokes.withLock { $0 }
        #expect(seen.count == 6)
        #expect(seen.allSatisfy { $0.pull })
        #expect(seen.map { $0.scan } == [false, false, true, false, false, true])
        #expect(seen.map { $0.publish } == [false, false, false, false, false, true])
    }
}
