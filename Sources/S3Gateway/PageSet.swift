/// The pages of one writer's snapshot of a map, with the names each holds, so that a new
/// snapshot re-stores only the pages that the writes since the last one touched: the cost
/// of a snapshot follows what changed, not the size of the bucket.
struct PageSet: Sendable {
    struct Page: Sendable, Equatable {
        /// The page file's capability.
        var cap: String
        /// Its names, in S3 order.
        var names: [String]
    }

    /// A stretch of consecutive pages to cut again, and every name it must then hold.
    struct Run: Equatable {
        var pages: Range<Int>
        var names: [String]
    }

    private(set) var pages: [Page] = []

    init(pages: [Page] = []) {
        self.pages = pages
    }

    var capabilities: [String] { pages.map(\.cap) }

    /// The runs of pages that `dirty` names fall in (a name belongs to the last page whose
    /// first name is not after it, or the first page), last run first, so that replacing
    /// them in order keeps the earlier indices valid.
    func plan(dirty: Set<String>) -> [Run] {
        guard !dirty.isEmpty else { return [] }
        guard !pages.isEmpty else { return [Run(pages: 0..<0, names: Self.sorted(Array(dirty)))] }
        var byPage: [Int: [String]] = [:]
        for name in dirty { byPage[index(of: name), default: []].append(name) }
        var runs: [Run] = []
        var current: (start: Int, end: Int, names: [String])?
        for index in byPage.keys.sorted() {
            let names = byPage[index]!
            if let run = current, run.end == index {
                current = (run.start, index + 1, run.names + pages[index].names + names)
            } else {
                if let run = current { runs.append(Run(pages: run.start..<run.end, names: Self.sorted(run.names))) }
                current = (index, index + 1, pages[index].names + names)
            }
        }
        if let run = current { runs.append(Run(pages: run.start..<run.end, names: Self.sorted(run.names))) }
        return runs.reversed()
    }

    /// Puts `replacement` where `run`'s pages were; returns the capabilities no longer named.
    mutating func replace(_ run: Run, with replacement: [Page]) -> [String] {
        let kept = Set(replacement.map(\.cap))
        let dropped = pages[run.pages].map(\.cap).filter { !kept.contains($0) }
        pages.replaceSubrange(run.pages, with: replacement)
        return dropped
    }

    /// The page a name belongs to.
    func index(of name: String) -> Int {
        var low = 0, high = pages.count
        while low < high {
            let middle = (low + high) / 2
            if let first = pages[middle].names.first, !name.utf8.lexicographicallyPrecedes(first.utf8) { low = middle + 1 } else { high = middle }
        }
        return max(low - 1, 0)
    }

    private static func sorted(_ names: [String]) -> [String] {
        Array(Set(names)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
