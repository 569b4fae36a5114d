/// Polls `condition` every `interval` until it holds or `timeout` passes; returns whether
/// it held. The one way tests wait for something to happen: a deadline, never a sleep.
public func eventually(
    timeout: Duration = .seconds(20), every interval: Duration = .milliseconds(20), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)  // polling interval
    }
    return try await condition()
}
