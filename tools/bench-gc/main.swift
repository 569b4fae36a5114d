// bench-gc [DIR]: the costs of garbage collection (docs/gc.md), on real stores on disk.
//
// 1. Renewal at 1 million stored chunks: one owner's renewal round (its ledger paged in
//    4,096-id requests, each renewed by a holder's store) — CPU seconds and bytes sent,
//    averaged over the renewal interval (24 h).
// 2. Sweep throughput: 1 GiB of 256 KiB chunks released, then collected and compacted
//    (whole segments dead: unlinked), and the 1 GiB dead half of 2 GiB (copied at the pace).
// 3. A sweep's effect on puts and gets: a sweep that collects 1 GiB and compacts the 1 GiB
//    left beside it is paused and resumed in turn, and reads of 4 GiB and 1 GiB of puts are
//    measured in each window, alone and beside it in alternating order, for several rounds;
//    the figure is the median of the rounds' ratios (this machine's rates drift by 10–16 %
//    from one minute to the next, so each "beside" is compared with the "alone" next to it).
// Prints `key=value` lines; asserts nothing.
import ChunkStore
import Codecs
import Foundation
import Logging
import OpenSSLKit
import Peer
import Synchronization

let root = CommandLine.arguments.count > 1
    ? CommandLine.arguments[1] : FileManager.default.temporaryDirectory.appendingPathComponent("bench-gc-\(UUID())").path
let logger = {
    var logger = Logger(label: "bench-gc")
    logger.logLevel = .warning
    return logger
}()
let owner = Data(repeating: 0xA5, count: 32)
let renewalInterval = 24.0 * 3600
let idsPerRequest = 4096

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// Chunk `index` of a family: `size` pseudo-random bytes, distinct per (seed, index).
func chunk(_ index: Int, seed: UInt64, size: Int) -> (StoredChunkID, [UInt8]) {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(index)
    var bytes = [UInt8](repeating: 0, count: size)
    bytes.withUnsafeMutableBytes { raw in
        for offset in stride(from: 0, to: size - 7, by: 8) {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            raw.storeBytes(of: state, toByteOffset: offset, as: UInt64.self)
        }
    }
    return (StoredChunkID(Identifier256(digest: SHA256.hash(bytes))), bytes)
}

/// Puts `count` chunks of a family with `leases`, `inFlight` at a time (so group commits fill up).
func putAll(_ store: ChunkStore, count: Int, seed: UInt64, size: Int, leases: [ChunkLease], inFlight: Int = 256) async throws -> [StoredChunkID] {
    try await withThrowingTaskGroup(of: StoredChunkID.self) { group in
        var ids: [StoredChunkID] = []
        ids.reserveCapacity(count)
        var next = 0
        while next < min(count, inFlight) {
            let index = next
            group.addTask { let (id, bytes) = chunk(index, seed: seed, size: size); try await store.put(id, bytes, leases: leases); return id }
            next += 1
        }
        while let id = try await group.next() {
            ids.append(id)
            if next < count {
                let index = next
                group.addTask { let (id, bytes) = chunk(index, seed: seed, size: size); try await store.put(id, bytes, leases: leases); return id }
                next += 1
            }
        }
        return ids
    }
}

/// Sleeps until `start + units / rate` (the pace, not synchronization).
func pace(from start: ContinuousClock.Instant, units: Double, rate: Double) {
    let due = start + .seconds(units / rate)
    let now = ContinuousClock.now
    if due > now { Thread.sleep(forTimeInterval: seconds(due - now)) }
}

/// Lets the bench pause a running sweep between two of its steps, and says whether a step
/// is running now.
final class SweepGate: Sendable {
    let paused = Atomic<Bool>(false)
    let inStep = Atomic<Bool>(false)
    /// Set by the sweep when it has nothing left to do.
    let finished = Atomic<Bool>(false)
    /// Time spent paused, in nanoseconds.
    let pausedNanoseconds = Atomic<Int64>(0)

    /// Pauses the sweep and returns once no step runs (polled: the bench's own pacing).
    func pause() {
        paused.store(true, ordering: .sequentiallyConsistent)
        while inStep.load(ordering: .sequentiallyConsistent) { Thread.sleep(forTimeInterval: 0.001) }
    }

    func resume() { paused.store(false, ordering: .sequentiallyConsistent) }

    /// Called by the sweep before each step: waits while paused, then marks the step.
    func enterStep() {
        let start = ContinuousClock.now
        while true {
            inStep.store(true, ordering: .sequentiallyConsistent)
            if !paused.load(ordering: .sequentiallyConsistent) { break }
            inStep.store(false, ordering: .sequentiallyConsistent)
            Thread.sleep(forTimeInterval: 0.002)
        }
        let waited = ContinuousClock.now - start
        pausedNanoseconds.add(Int64(seconds(waited) * 1e9), ordering: .relaxed)
    }

    func leaveStep() { inStep.store(false, ordering: .sequentiallyConsistent) }
}

/// A sweep as the daemon's runs (GarbageCollector.sweep): collection steps paced at
/// `SweepLimits.collectionStepsPerSecond`, then compaction steps paced at
/// `SweepLimits.compactionBytesPerSecond` of copying, each step followed by the rest its
/// duration calls for (`SweepLimits.dutyCycle`). With a gate, steps wait while it is paused.
func sweep(_ store: ChunkStore, gate: SweepGate? = nil) throws -> (collected: CollectionReport, compacted: CompactionReport) {
    var collected = CollectionReport()
    let collecting = ContinuousClock.now
    var steps = 0.0
    while true {
        gate?.enterStep()
        let stepStarted = ContinuousClock.now
        let step = try store.collect(grace: 0, limit: SweepLimits.collectionStep)
        gate?.leaveStep()
        collected.add(step)
        if step.chunks < SweepLimits.collectionStep { break }
        steps += 1
        Thread.sleep(forTimeInterval: seconds(SweepLimits.rest(after: ContinuousClock.now - stepStarted)))
        pace(from: collecting, units: steps, rate: SweepLimits.collectionStepsPerSecond)
    }
    var compacted = CompactionReport()
    let start = ContinuousClock.now
    while compacted.bytesCopied < SweepLimits.compactionPerSweep {
        gate?.enterStep()
        let stepStarted = ContinuousClock.now
        let step = try store.compact(maximumBytes: SweepLimits.compactionStep)
        gate?.leaveStep()
        compacted.add(step)
        if step.finished { break }
        Thread.sleep(forTimeInterval: seconds(SweepLimits.rest(after: ContinuousClock.now - stepStarted)))
        pace(from: start, units: Double(compacted.bytesCopied), rate: SweepLimits.compactionBytesPerSecond)
    }
    return (collected, compacted)
}

/// The middle value (the mean of the two middle ones for an even count).
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

func store(_ name: String) throws -> ChunkStore {
    try ChunkStore(
        root: root + "/" + name, configuration: ChunkStoreConfiguration(capacity: 1 << 40, segmentSize: 64 << 20), logger: logger)
}

do {
    defer { if CommandLine.arguments.count <= 1 { try? FileManager.default.removeItem(atPath: root) } }
    let lease = ChunkLease(owner: owner, expiry: Date().addingTimeInterval(31 * 86_400))!

    // 1. Renewal at 1 million chunks: the holder holds them, the owner lists them.
    let million = Int(ProcessInfo.processInfo.environment["GC_CHUNKS"] ?? "") ?? 1_000_000
    let holder = try store("holder")
    let fillStart = ContinuousClock.now
    let ids = try await putAll(holder, count: million, seed: 1, size: 64, leases: [lease], inFlight: 4096)
    for start in stride(from: 0, to: ids.count, by: 100_000) {
        let file = OwnedFile(capability: "p2p1:bench-\(start)", size: 0, storedAt: Date(), source: "put")
        try holder.recordOwnedFile(file, chunks: Array(ids[start..<min(ids.count, start + 100_000)]))
    }
    let fill = ContinuousClock.now - fillStart
    print("renewal_chunks=\(million)")
    print("fill_seconds=\(String(format: "%.1f", seconds(fill)))")
    let cpuBefore = cpuSeconds()
    let wall = ContinuousClock().measure {
        var cursor: StoredChunkID?
        var requests = 0, bytes = 0
        let until = Date().addingTimeInterval(31 * 86_400)
        while true {
            let page = try! holder.ownedChunks(after: cursor, limit: idsPerRequest)
            guard let last = page.last else { break }
            cursor = last
            // What the owner sends: owner | expiry | count | ids (ChunkMessages.renewLeases).
            var payload = [UInt8](owner)
            payload.reserveCapacity(42 + 32 * page.count)
            withUnsafeBytes(of: ChunkLease.milliseconds(until).bigEndian) { payload += $0 }
            withUnsafeBytes(of: UInt16(page.count).bigEndian) { payload += $0 }
            for id in page { payload += id.bytes }
            requests += 1
            bytes += payload.count
            _ = try! holder.renewLeases(page, owner: owner, until: until)
        }
        print("renewal_requests_per_holder=\(requests)")
        print("renewal_bytes_per_holder=\(bytes)")
    }
    let cpu = cpuSeconds() - cpuBefore
    print("renewal_round_seconds=\(String(format: "%.2f", seconds(wall)))")
    print("renewal_cpu_seconds=\(String(format: "%.2f", cpu))")
    print("renewal_core_share_percent=\(String(format: "%.4f", cpu / renewalInterval * 100))")
    try holder.close()
    try? FileManager.default.removeItem(atPath: root + "/holder")

    // 2. Sweep throughput over 1 GiB released.
    let swept = try store("sweep")
    let size = 256 << 10
    let garbage = try await putAll(swept, count: 4096, seed: 2, size: size, leases: [lease])
    _ = try swept.releaseLeases(garbage, owner: owner)
    try await Task.sleep(for: .milliseconds(5))  // lease ends must lie before "now" (grace 0)
    let sweepTime = try ContinuousClock().measure { _ = try sweep(swept) }
    print("sweep_bytes=\(4096 * size)")
    print("sweep_seconds=\(String(format: "%.3f", seconds(sweepTime)))")
    print("sweep_mb_per_s=\(String(format: "%.0f", Double(4096 * size) / 1e6 / seconds(sweepTime)))")
    print("sweep_chunks_per_s=\(String(format: "%.0f", 4096 / seconds(sweepTime)))")
    try swept.close()

    // 3. Puts and gets alone, then beside a sweep that collects and compacts.
    let busy = try store("busy")
    let readBack = try await putAll(busy, count: 1024, seed: 3, size: size, leases: [lease])
    // Long enough (about 2 s each: 1 GiB of puts, 4 GiB of reads) to average over many of
    // the sweep's steps and rests rather than catch one.
    func putRate(seed: UInt64) async throws -> Double {
        let time = try await ContinuousClock().measure { _ = try await putAll(busy, count: 4096, seed: seed, size: size, leases: [lease], inFlight: 32) }
        return Double(4096 * size) / 1e6 / seconds(time)
    }
    func getRate() throws -> Double {
        let time = ContinuousClock().measure {
            DispatchQueue.concurrentPerform(iterations: 2) { lane in
                for _ in 0..<16 {
                    for index in stride(from: lane, to: readBack.count, by: 2) { _ = try! busy.get(readBack[index]) }
                }
            }
        }
        return Double(16 * 1024 * size) / 1e6 / seconds(time)
    }
    // Interleave what stays and what goes, so compaction has to copy half of every segment.
    func prepareGarbage(seed: UInt64) async throws -> [StoredChunkID] {
        let mixed = try await putAll(busy, count: 16_384, seed: seed, size: size >> 1, leases: [lease])
        let dead = mixed.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        _ = try busy.releaseLeases(dead, owner: owner)
        return dead
    }
    // The garbage is written first, so that both measurements follow the same history.
    _ = try await prepareGarbage(seed: 5)
    _ = try getRate()  // warm
    let rounds = Int(ProcessInfo.processInfo.environment["GC_ROUNDS"] ?? "") ?? 6
    // CLOCK_MONOTONIC seconds, to cut a profile taken with `perf record -k CLOCK_MONOTONIC`.
    var monotonic = timespec()
    clock_gettime(CLOCK_MONOTONIC, &monotonic)
    print("beside_started_monotonic=\(monotonic.tv_sec).\(String(format: "%09d", monotonic.tv_nsec))")
    let gate = SweepGate()
    gate.pause()
    let sweepStart = ContinuousClock.now
    let sweeping = Task.detached { () throws -> (CollectionReport, CompactionReport, Duration) in
        defer { gate.finished.store(true, ordering: .sequentiallyConsistent) }
        let result = try sweep(busy, gate: gate)
        return (result.collected, result.compacted, ContinuousClock.now - sweepStart)
    }
    var rates: [(putAlone: Double, putBeside: Double, getAlone: Double, getBeside: Double)] = []
    var seed: UInt64 = 10
    for round in 0..<rounds {
        var rate = (putAlone: 0.0, putBeside: 0.0, getAlone: 0.0, getBeside: 0.0)
        // Alone first in even rounds, beside first in odd ones: drift within a round cancels.
        for beside in round % 2 == 0 ? [false, true] : [true, false] {
            if beside { gate.resume() } else { gate.pause() }
            let get = try getRate()
            seed += 1
            let put = try await putRate(seed: seed)
            if beside { (rate.getBeside, rate.putBeside) = (get, put) } else { (rate.getAlone, rate.putAlone) = (get, put) }
        }
        rates.append(rate)
        print(String(
            format: "round_%d=put %.0f alone %.0f beside (%.2f), get %.0f alone %.0f beside (%.2f)", round, rate.putAlone, rate.putBeside,
            rate.putBeside / rate.putAlone, rate.getAlone, rate.getBeside, rate.getBeside / rate.getAlone))
    }
    // Every "beside" window counts only if the sweep was still at work through the last one.
    let sweptThroughRounds = !gate.finished.load(ordering: .sequentiallyConsistent)
    gate.resume()
    let measured = ContinuousClock.now - sweepStart
    clock_gettime(CLOCK_MONOTONIC, &monotonic)
    print("beside_ended_monotonic=\(monotonic.tv_sec).\(String(format: "%09d", monotonic.tv_nsec))")
    let (collected, compacted, sweepTotal) = try await sweeping.value
    let result = (collected: collected, compacted: compacted)
    let sweepBusy = sweepTotal - .nanoseconds(gate.pausedNanoseconds.load(ordering: .relaxed))
    print("gc_rounds=\(rounds)")
    print("sweep_ran_through_rounds=\(sweptThroughRounds ? "yes" : "no")")
    print("beside_sweep_busy_seconds=\(String(format: "%.2f", seconds(sweepBusy)))")
    print("beside_measured_seconds=\(String(format: "%.2f", seconds(measured)))")
    print("put_alone_mb_per_s=\(String(format: "%.0f", median(rates.map(\.putAlone))))")
    print("put_beside_sweep_mb_per_s=\(String(format: "%.0f", median(rates.map(\.putBeside))))")
    print("put_ratio_median=\(String(format: "%.2f", median(rates.map { $0.putBeside / $0.putAlone })))")
    print("get_alone_mb_per_s=\(String(format: "%.0f", median(rates.map(\.getAlone))))")
    print("get_beside_sweep_mb_per_s=\(String(format: "%.0f", median(rates.map(\.getBeside))))")
    print("get_ratio_median=\(String(format: "%.2f", median(rates.map { $0.getBeside / $0.getAlone })))")
    print("half_dead_reclaim_mb_per_s=\(String(format: "%.0f", Double(result.compacted.bytesFreed - result.compacted.bytesCopied) / 1e6 / seconds(sweepBusy)))")
    print("beside_sweep_collected_bytes=\(result.collected.bytes)")
    print("beside_sweep_compacted_bytes=\(result.compacted.bytesCopied)")
    print("beside_sweep_freed_bytes=\(result.compacted.bytesFreed)")
    try busy.close()
} catch {
    FileHandle.standardError.write(Data("bench-gc: \(error)\n".utf8))
    exit(1)
}
