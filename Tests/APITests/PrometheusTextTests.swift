import Testing

/// The test parser must refuse what Prometheus refuses, or the metrics test proves nothing.
@Suite struct PrometheusTextTests {
    @Test func acceptsTheFormatAndRefusesMalformedExpositions() throws {
        let good = """
        # HELP a_total Things, with a \\\\ and a \\n.
        # TYPE a_total counter
        a_total{kind="x\\"y"} 3
        # TYPE h_seconds histogram
        h_seconds_bucket{le="0.5"} 1
        h_seconds_bucket{le="+Inf"} 2
        h_seconds_sum 0.7
        h_seconds_count 2

        """
        let parsed = try PrometheusText(parsing: good)
        #expect(parsed.value("a_total", ["kind": "x\"y"]) == 3)
        #expect(parsed.family("a_total")?.help == "Things, with a \\ and a \n.")
        #expect(parsed.value("h_seconds_count") == 2)

        let bad = [
            "a 1",  // no final line feed
            "a{b=\"1\"} one\n",  // value
            "1a 1\n",  // name
            "a{b=1} 1\n",  // unquoted label
            "a 1\na 2\n",  // duplicate series
            "a 1\nb 1\na{x=\"1\"} 1\n",  // family not contiguous
            "# TYPE a counter\na -1\n",  // negative counter
            "# TYPE a counter\n# TYPE a counter\na 1\n",  // TYPE twice
            "# TYPE a wrong\na 1\n",  // unknown type
            "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",  // no +Inf bucket
            "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",  // not cumulative
            "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n",  // count mismatch
            "a{b=\"\\x\"} 1\n",  // bad escape
        ]
        for text in bad {
            #expect(throws: PrometheusText.ParseError.self, "\(text)") { try PrometheusText(parsing: text) }
        }
    }
}
