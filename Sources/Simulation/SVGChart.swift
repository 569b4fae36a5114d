#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small self-contained SVG chart: grouped bars or lines, with axes, a legend and an
/// optional dashed target line. Returns the document as a string (no I/O).
public struct SVGChart: Sendable {
    /// One named series of (x, y) points; for bars, x is the group index.
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]

        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    /// How the series are drawn.
    public enum Kind: Sendable {
        /// Grouped bars; `groupLabels[i]` names x = i.
        case bars(groupLabels: [String])
        /// Lines with markers; x may be logarithmic.
        case lines(logX: Bool)
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var kind: Kind
    public var series: [Series]
    /// A dashed horizontal line (a target), with its label.
    public var target: (value: Double, label: String)?
    /// Logarithmic y axis (all values must be positive).
    public var logY = false

    public init(title: String, xLabel: String, yLabel: String, kind: Kind, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.kind = kind
        self.series = series
    }

    private static let palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1"]
    private let width = 720.0
    private let height = 420.0
    private let left = 70.0
    private let right = 170.0
    private let top = 40.0
    private let bottom = 60.0

    /// The SVG document.
    public func render() -> String {
        var values = series.flatMap { $0.points.map(\.y) }
        if let target { values.append(target.value) }
        let positive = values.filter { $0 > 0 }
        var yMin = logY ? (positive.min() ?? 1) : min(0, values.min() ?? 0)
        var yMax = values.max() ?? 1
        if logY {
            yMin = pow(10, floor(log10(yMin)))
            yMax = pow(10, ceil(log10(max(yMax, yMin * 10))))
        } else {
            yMax = niceCeiling(yMax * 1.08)
        }
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        func y(_ value: Double) -> Double {
            let fraction = logY
                ? (log10(max(value, yMin)) - log10(yMin)) / (log10(yMax) - log10(yMin))
                : (value - yMin) / max(yMax - yMin, 1e-300)
            return top + plotHeight * (1 - fraction)
        }
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(width / 2)" y="22" text-anchor="middle" font-size="15">\(escape(title))</text>

        """
        for tick in yTicks(min: yMin, max: yMax) {
            svg += "<line x1=\"\(left)\" x2=\"\(left + plotWidth)\" y1=\"\(fmt(y(tick)))\" y2=\"\(fmt(y(tick)))\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(fmt(y(tick) + 4))\" text-anchor=\"end\">\(label(tick))</text>\n"
        }
        svg += xAxis(plotWidth: plotWidth, plotHeight: plotHeight, y: y)
        if let target {
            svg += "<line x1=\"\(left)\" x2=\"\(left + plotWidth)\" y1=\"\(fmt(y(target.value)))\" y2=\"\(fmt(y(target.value)))\" stroke=\"#c00\" stroke-dasharray=\"6,4\"/>"
            svg += "<text x=\"\(left + plotWidth + 6)\" y=\"\(fmt(y(target.value) + 4))\" fill=\"#c00\">\(escape(target.label))</text>\n"
        }
        for (index, series) in series.enumerated() {
            let color = Self.palette[index % Self.palette.count]
            let legendY = top + 20 + Double(index) * 18
            svg += "<rect x=\"\(left + plotWidth + 10)\" y=\"\(legendY - 9 + 20)\" width=\"10\" height=\"10\" fill=\"\(color)\"/>"
            svg += "<text x=\"\(left + plotWidth + 26)\" y=\"\(legendY + 20)\">\(escape(series.name))</text>\n"
        }
        svg += """
        <line x1="\(left)" x2="\(left)" y1="\(top)" y2="\(top + plotHeight)" stroke="black"/>
        <line x1="\(left)" x2="\(left + plotWidth)" y1="\(top + plotHeight)" y2="\(top + plotHeight)" stroke="black"/>
        <text x="\(left + plotWidth / 2)" y="\(height - 12)" text-anchor="middle">\(escape(xLabel))</text>
        <text transform="translate(16,\(top + plotHeight / 2)) rotate(-90)" text-anchor="middle">\(escape(yLabel))</text>
        </svg>

        """
        return svg
    }

    private func xAxis(plotWidth: Double, plotHeight: Double, y: (Double) -> Double) -> String {
        var svg = ""
        let base = top + plotHeight
        switch kind {
        case .bars(let groups):
            let groupWidth = plotWidth / Double(max(1, groups.count))
            let barWidth = groupWidth * 0.8 / Double(max(1, series.count))
            for (group, name) in groups.enumerated() {
                let x0 = left + groupWidth * Double(group) + groupWidth * 0.1
                svg += "<text x=\"\(fmt(x0 + groupWidth * 0.4))\" y=\"\(base + 16)\" text-anchor=\"middle\">\(escape(name))</text>\n"
                for (index, series) in series.enumerated() {
                    guard let point = series.points.first(where: { Int($0.x) == group }) else { continue }
                    let top = y(point.y)
                    svg += "<rect x=\"\(fmt(x0 + barWidth * Double(index)))\" y=\"\(fmt(top))\" width=\"\(fmt(barWidth - 2))\" height=\"\(fmt(max(0, base - top)))\" fill=\"\(Self.palette[index % Self.palette.count])\"><title>\(escape(series.name)): \(label(point.y))</title></rect>\n"
                }
            }
        case .lines(let logX):
            let xs = series.flatMap { $0.points.map(\.x) }
            let transform: (Double) -> Double = logX ? { log10($0) } : { $0 }
            let xMin = transform(xs.min() ?? 0)
            let xMax = transform(xs.max() ?? 1)
            func x(_ value: Double) -> Double {
                left + plotWidth * (transform(value) - xMin) / max(xMax - xMin, 1e-300)
            }
            for value in Set(xs).sorted() {
                svg += "<text x=\"\(fmt(x(value)))\" y=\"\(base + 16)\" text-anchor=\"middle\">\(label(value))</text>\n"
            }
            for (index, series) in series.enumerated() {
                let color = Self.palette[index % Self.palette.count]
                let path = series.points.map { "\(fmt(x($0.x))),\(fmt(y($0.y)))" }.joined(separator: " ")
                svg += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
                for point in series.points {
                    svg += "<circle cx=\"\(fmt(x(point.x)))\" cy=\"\(fmt(y(point.y)))\" r=\"3.5\" fill=\"\(color)\"><title>\(escape(series.name)): \(label(point.y))</title></circle>\n"
                }
            }
        }
        return svg
    }

    private func yTicks(min: Double, max: Double) -> [Double] {
        if logY {
            var ticks = [Double]()
            var tick = min
            while tick <= max * 1.0001 {
                ticks.append(tick)
                tick *= 10
            }
            return ticks
        }
        let step = niceCeiling((max - min) / 5)
        return stride(from: min, through: max + step * 0.001, by: step).map { $0 }
    }

    private func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(value)))
        for factor in [1.0, 2.0, 2.5, 5.0, 10.0] where factor * magnitude >= value { return factor * magnitude }
        return 10 * magnitude
    }

    private func label(_ value: Double) -> String {
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1_000_000 { return trimmed(value / 1_000_000) + "M" }
        if magnitude >= 10_000 { return trimmed(value / 1_000) + "k" }
        if magnitude >= 100 { return String(Int(value.rounded())) }
        if magnitude >= 0.01 { return trimmed(value) }
        return "1e\(Int(floor(log10(magnitude))))"
    }

    private func trimmed(_ value: Double) -> String {
        let scaled = (value * 100).rounded() / 100
        return scaled == scaled.rounded() ? String(Int(scaled)) : String(scaled)
    }

    private func fmt(_ value: Double) -> String { String((value * 10).rounded() / 10) }

    private func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            default: result.append(character)
            }
        }
        return result
    }
}
