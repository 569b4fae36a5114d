import API
import APIClient
import APIModel
import Foundation
import Peer
import Prometheus
import Testing

/// `GET /metrics` in process: a started `PeerNode` recording into its own registry.
@Suite struct MetricsRouteTests {
    @Test func metricsAreValidPrometheusTextAndCountPutsAndGets() async throws {
        try await withAPIServer(metrics: PrometheusCollectorRegistry()) { fixture in
            let before = try await scrape(fixture)
            for family in before.families {
                #expect(family.help?.isEmpty == false, "\(family.name) has no HELP")
                #expect(family.type != nil, "\(family.name) has no TYPE")
                #expect(family.name.hasPrefix("p2p_"), "\(family.name)")
                if family.type == "counter" { #expect(family.name.hasSuffix("_total"), "\(family.name)") }
            }
            for name in NodeMetrics.descriptions.keys { #expect(before.family(name) != nil, "\(name) missing") }
            #expect(before.value("p2p_peers", ["state": "alive"]) == 1)
            #expect(before.value("p2p_peers", ["state": "dead"]) == 0)
            #expect(before.value("p2p_capacity_bytes") == Double(1 << 30))
            #expect(before.value("p2p_chunks_stored") == 0)
            #expect(before.value("p2p_put_operations_total", ["outcome": "success"]) == 0)

            let content = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let stored = try await fixture.client.request(.POST, "/v1/files", body: content)
            #expect(stored.status == 201)
            let cap = try JSONDecoder().decode(APIClient.StoredFile.self, from: Data(stored.body)).cap
            let read = try await fixture.client.request(.GET, "/v1/files/\(cap)")
            #expect(read.body == content)

            let after = try await scrape(fixture)
            #expect(after.value("p2p_put_operations_total", ["outcome": "success"]) == 1)
            #expect(after.value("p2p_get_operations_total", ["outcome": "success"]) == 1)
            #expect(after.value("p2p_put_bytes_total") == Double(content.count))
            #expect(after.value("p2p_get_bytes_total") == Double(content.count))
            #expect(after.value("p2p_put_duration_seconds_count") == 1)
            #expect(after.value("p2p_get_duration_seconds_count") == 1)
            #expect((after.value("p2p_chunks_stored") ?? 0) >= 2)
            #expect((after.value("p2p_stored_bytes") ?? 0) > 0)
        }
    }

    /// The figures of `p2p status --durability` as gauges and counters, moving with the passes.
    /// One peer of a network with N=2: every chunk it holds is below N.
    @Test func durabilityFiguresAreExportedAndFollowTheRepairPasses() async throws {
        let fast = RepairConfiguration(passInterval: .milliseconds(200), pagesPerSecond: 0, bytesPerSecond: 0, scrubBytesPerSecond: 0, scrubPeriod: .milliseconds(300))
        try await withAPIServer(metrics: PrometheusCollectorRegistry(), repair: fast) { fixture in
            let before = try await scrape(fixture)
            for level in ["at_n", "below_n", "zero"] { #expect(before.value("p2p_durability_chunks", ["replicas": level]) == 0) }
            #expect(before.value("p2p_repair_backlog") == 0)
            #expect(before.value("p2p_scrub_chunks_total", ["result": "corrupt"]) == 0)
            let passesBefore = try #require(before.value("p2p_repair_passes_total"))

            let content = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 17) }
            #expect(try await fixture.client.request(.POST, "/v1/files", body: content).status == 201)

            // Poll until a pass after the put is reflected: the gauges then equal /v1/status.
            var after: PrometheusText?
            var figures: NodeStatus.Durability?
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(30)
            while clock.now < deadline {
                let scraped = try await scrape(fixture)
                let stored = scraped.value("p2p_chunks_stored") ?? 0
                if stored >= 2, scraped.value("p2p_durability_chunks", ["replicas": "below_n"]) == stored,
                   (scraped.value("p2p_scrub_chunks_total", ["result": "intact"]) ?? 0) >= stored {
                    after = scraped
                    figures = try await fixture.client.status().durability
                    break
                }
                try await Task.sleep(for: .milliseconds(100))  // polling interval
            }
            let scraped = try #require(after, "the durability gauges never reflected the stored chunks")
            let durability = try #require(figures)
            #expect(scraped.value("p2p_durability_chunks", ["replicas": "at_n"]) == 0)
            #expect(scraped.value("p2p_durability_chunks", ["replicas": "zero"]) == 0)
            #expect(Double(durability.belowN) == scraped.value("p2p_durability_chunks", ["replicas": "below_n"]))
            #expect(durability.chunks == durability.belowN)
            #expect(try #require(scraped.value("p2p_repair_passes_total")) > passesBefore)
            #expect(scraped.value("p2p_repair_pushed_bytes_total") == 0)  // nobody to push to
            #expect(scraped.value("p2p_scrub_chunks_total", ["result": "corrupt"]) == 0)
        }
    }

    @Test func metricsNeedTheTokenButTheDashboardPageDoesNot() async throws {
        try await withAPIServer(metrics: PrometheusCollectorRegistry()) { fixture in
            let anonymous = try await fixture.raw("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(anonymous.statusLine.hasPrefix("HTTP/1.1 401"))
            #expect(!anonymous.body.contains("p2p_"))

            let page = try await fixture.raw("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(page.statusLine.hasPrefix("HTTP/1.1 200"))
            #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
            // The page holds no secret and nothing of the node: it fetches all of it with the token.
            #expect(!page.body.contains(fixture.token))
            #expect(!page.body.contains(fixture.nodeID))
            #expect(!page.body.contains("http://") && !page.body.contains("https://"), "the page must load nothing from elsewhere")

            // Only GET / is public: other methods on it and every other path still need the token.
            let post = try await fixture.raw("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            #expect(post.statusLine.hasPrefix("HTTP/1.1 401"))
            let status = try await fixture.raw("GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(status.statusLine.hasPrefix("HTTP/1.1 401"))
        }
    }

    private func scrape(_ fixture: APIFixture) async throws -> PrometheusText {
        let response = try await fixture.client.request(.GET, "/metrics")
        #expect(response.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        return try PrometheusText(parsing: String(decoding: response.body, as: UTF8.self))
    }
}
