/// A strict reader of the Prometheus text exposition format 0.0.4, for tests: it refuses
/// what a Prometheus server would refuse, and the histogram and family rules it would not
/// check (contiguous families, cumulative buckets ending at +Inf, `_count` equal to it).
struct PrometheusText {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Family {
        var name: String
        var type: String?
        var help: String?
        var samples: [Sample] = []
    }

    struct ParseError: Error, CustomStringConvertible {
        var line: Int
        var reason: String
        var description: String { "line \(line): \(reason)" }
    }

    private(set) var families: [Family] = []

    /// The value of the one sample with this name and these labels, if present.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        families.lazy.flatMap(\.samples).first { $0.name == name && $0.labels == labels }?.value
    }

    func family(_ name: String) -> Family? { families.first { $0.name == name } }

    init(parsing text: String) throws {
        guard text.hasSuffix("\n") else { throw ParseError(line: 0, reason: "the exposition must end with a line feed") }
        var seenSeries = Set<String>()
        var closed = Set<String>()
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().enumerated() {
            let number = index + 1
            func fail(_ reason: String) -> ParseError { ParseError(line: number, reason: "\(reason): \(line)") }
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
                guard parts.count >= 3, parts[0] == "#", parts[1] == "HELP" || parts[1] == "TYPE" else { continue }
                let name = String(parts[2])
                guard Self.isMetricName(name) else { throw fail("bad metric name") }
                let rest = parts.count == 4 ? String(parts[3]) : ""
                try open(name, closed: &closed, line: number)
                if parts[1] == "HELP" {
                    guard families[families.count - 1].help == nil else { throw fail("second HELP") }
                    families[families.count - 1].help = try Self.unescape(rest, quotes: false, line: number)
                } else {
                    guard ["counter", "gauge", "histogram", "summary", "untyped"].contains(rest) else { throw fail("unknown TYPE") }
                    guard families[families.count - 1].type == nil, families[families.count - 1].samples.isEmpty else {
                        throw fail("TYPE repeated or after samples")
                    }
                    families[families.count - 1].type = rest
                }
                continue
            }
            let sample = try Self.sample(line, line: number)
            let series = sample.name + "{" + sample.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "}"
            guard seenSeries.insert(series).inserted else { throw fail("duplicate series") }
            let familyName = Self.familyName(of: sample.name, among: families.last)
            try open(familyName, closed: &closed, line: number)
            let type = families[families.count - 1].type ?? "untyped"
            switch type {
            case "counter":
                guard sample.name == familyName, sample.value >= 0 else { throw fail("counter sample must be named as its family, ≥ 0") }
            case "gauge", "untyped":
                guard sample.name == familyName else { throw fail("sample outside its family") }
            case "histogram":
                guard [familyName + "_bucket", familyName + "_sum", familyName + "_count"].contains(sample.name) else {
                    throw fail("histogram sample must be _bucket, _sum or _count")
                }
                if sample.name.hasSuffix("_bucket"), sample.labels["le"] == nil { throw fail("bucket without le") }
            default:
                break
            }
            families[families.count - 1].samples.append(sample)
        }
        for family in families {
            guard family.type == "histogram" else { continue }
            try Self.checkHistogram(family)
        }
    }

    /// Starts the family `name` unless it is the current one; a family may not come back.
    private mutating func open(_ name: String, closed: inout Set<String>, line: Int) throws {
        if families.last?.name == name { return }
        guard !closed.contains(name) else { throw ParseError(line: line, reason: "family \(name) is not contiguous") }
        if let last = families.last { closed.insert(last.name) }
        families.append(Family(name: name))
    }

    private static func familyName(of sample: String, among current: Family?) -> String {
        if let current, current.type == "histogram" || current.type == "summary" {
            for suffix in ["_bucket", "_sum", "_count"] where sample == current.name + suffix { return current.name }
        }
        return sample
    }

    private static func checkHistogram(_ family: Family) throws {
        let groups = Dictionary(grouping: family.samples) { sample in
            sample.labels.filter { $0.key != "le" }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        }
        for (_, samples) in groups {
            let buckets = samples.filter { $0.name == family.name + "_bucket" }
            let bounds = buckets.compactMap { Double($0.labels["le"]!.replacingOccurrences(of: "+Inf", with: "inf")) }
            guard bounds.count == buckets.count, bounds == bounds.sorted(), bounds.last == .infinity else {
                throw ParseError(line: 0, reason: "\(family.name): buckets must be sorted and end with le=\"+Inf\"")
            }
            let counts = buckets.map(\.value)
            guard counts == counts.sorted() else { throw ParseError(line: 0, reason: "\(family.name): buckets must be cumulative") }
            guard let count = samples.first(where: { $0.name == family.name + "_count" })?.value, count == counts.last,
                  samples.contains(where: { $0.name == family.name + "_sum" }) else {
                throw ParseError(line: 0, reason: "\(family.name): needs _sum and a _count equal to the +Inf bucket")
            }
        }
    }

    private static func sample(_ line: Substring, line number: Int) throws -> Sample {
        func fail(_ reason: String) -> ParseError { ParseError(line: number, reason: "\(reason): \(line)") }
        var rest = line[...]
        let name = String(rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") })
        guard isMetricName(name) else { throw fail("bad metric name") }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let label = String(rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
                guard let first = label.first, first.isLetter || first == "_" else { throw fail("bad label name") }
                rest = rest.dropFirst(label.count)
                guard rest.hasPrefix("=\"") else { throw fail("label without =\"") }
                rest = rest.dropFirst(2)
                var raw = ""
                var escaped = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if escaped { raw.append("\\"); raw.append(character); escaped = false; continue }
                    if character == "\\" { escaped = true; continue }
                    if character == "\"" { break }
                    raw.append(character)
                }
                guard labels[label] == nil else { throw fail("label \(label) twice") }
                labels[label] = try unescape(raw, quotes: true, line: number)
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" { throw fail("expected , or }") }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw fail("expected a space before the value") }
        let fields = rest.dropFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard (1...2).contains(fields.count), let value = parseValue(fields[0]) else { throw fail("bad value") }
        if fields.count == 2, Int64(fields[1]) == nil { throw fail("bad timestamp") }
        return Sample(name: name, labels: labels, value: value)
    }

    private static func parseValue(_ text: Substring) -> Double? {
        switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: text.allSatisfy { $0.isNumber || "+-.eE".contains($0) } ? Double(text) : nil
        }
    }

    private static func isMetricName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" || first == ":" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    /// `\\` and `\n` everywhere, `\"` only in label values; any other escape is an error.
    private static func unescape(_ text: String, quotes: Bool, line: Int) throws -> String {
        var result = ""
        var escaped = false
        for character in text {
            if escaped {
                switch character {
                case "\\": result.append("\\")
                case "n": result.append("\n")
                case "\"" where quotes: result.append("\"")
                default: throw ParseError(line: line, reason: "bad escape \\\(character)")
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        guard !escaped else { throw ParseError(line: line, reason: "dangling backslash") }
        return result
    }
}
