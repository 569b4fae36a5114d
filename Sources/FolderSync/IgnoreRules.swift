/// The rules of a folder's `.p2pignore`, a subset of gitignore: one glob per line, `#`
/// comments, `!` to re-include, `*` and `?` within a name, `[abc]` classes, `**` across
/// directories, a leading `/` (or any inner `/`) anchors to the folder root, a trailing
/// `/` matches directories only. The last matching rule wins; what is inside an ignored
/// directory is ignored. The sync's own temporary files are always ignored.
public struct IgnoreRules: Sendable {
    public static let fileName = ".p2pignore"
    /// Prefix of the temporary files the sync writes before renaming them into place.
    public static let temporaryPrefix = ".p2psync-tmp-"

    struct Rule: Sendable {
        var pattern: [UInt8]
        var negated: Bool
        var directoryOnly: Bool
        /// Matches the whole relative path rather than the last name.
        var anchored: Bool
    }

    let rules: [Rule]

    public static let none = IgnoreRules(rules: [])

    /// Names that belong to one device's copy of the folder and never sync, at any depth:
    /// the ignore file and the folder marker (Syncthing keeps `.stignore` and `.stfolder`
    /// local the same way).
    public static let controlNames: Set<String> = [fileName, ".p2pfolder"]

    /// Whether any component of `path` is a control name.
    public static func isControlPath(_ path: String) -> Bool {
        path.split(separator: "/").contains { controlNames.contains(String($0)) }
    }

    init(rules: [Rule]) {
        self.rules = rules
    }

    public init(parsing text: String) {
        var rules: [Rule] = []
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var line = Substring(rawLine)
            while line.last == " " || line.last == "\t" { line = line.dropLast() }
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            var negated = false
            if line.hasPrefix("!") {
                negated = true
                line = line.dropFirst()
            } else if line.hasPrefix("\\!") || line.hasPrefix("\\#") {
                line = line.dropFirst()
            }
            var directoryOnly = false
            while line.hasSuffix("/") {
                directoryOnly = true
                line = line.dropLast()
            }
            var anchored = line.contains("/")
            if line.hasPrefix("/") { line = line.drop { $0 == "/" } }
            if line.hasPrefix("**/") {
                // `**/name` matches the name at any depth, as an unanchored rule does.
                let rest = line.dropFirst(3)
                if !rest.contains("/") {
                    line = rest
                    anchored = false
                }
            }
            guard !line.isEmpty else { continue }
            rules.append(Rule(pattern: Array(line.utf8), negated: negated, directoryOnly: directoryOnly, anchored: anchored))
        }
        self.rules = rules
    }

    /// Whether `path` (relative, `/`-separated) is ignored, itself or through a directory
    /// above it.
    public func isIgnored(_ path: String, isDirectory: Bool) -> Bool {
        let bytes = Array(path.utf8)
        var start = 0
        while let slash = bytes[start...].firstIndex(of: UInt8(ascii: "/")) {
            if matches(bytes, nameStart: start, end: slash, isDirectory: true) { return true }
            start = slash + 1
        }
        return matches(bytes, nameStart: start, end: bytes.count, isDirectory: isDirectory)
    }

    /// Whether this one path matches (its parents are assumed not ignored): what a scanner
    /// walking down the tree asks.
    public func matches(_ path: String, isDirectory: Bool) -> Bool {
        let bytes = Array(path.utf8)
        let nameStart = (bytes.lastIndex(of: UInt8(ascii: "/")) ?? -1) + 1
        return matches(bytes, nameStart: nameStart, end: bytes.count, isDirectory: isDirectory)
    }

    private func matches(_ bytes: [UInt8], nameStart: Int, end: Int, isDirectory: Bool) -> Bool {
        let name = bytes[nameStart..<end]
        if name.starts(with: Self.temporaryPrefix.utf8) { return true }
        var ignored = false
        for rule in rules where rule.negated == ignored {
            if rule.directoryOnly && !isDirectory { continue }
            let subject = rule.anchored ? bytes[0..<end] : name
            if Self.glob(rule.pattern[...], subject) { ignored = !rule.negated }
        }
        return ignored
    }

    /// Backtracking glob match: `**` crosses `/`, `*` and `?` do not.
    static func glob(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>) -> Bool {
        let slash = UInt8(ascii: "/"), star = UInt8(ascii: "*")
        var p = pattern.startIndex, t = text.startIndex
        while p < pattern.endIndex {
            let c = pattern[p]
            if c == star {
                let double = p + 1 < pattern.endIndex && pattern[p + 1] == star
                let rest = pattern[(p + (double ? 2 : 1))...]
                if double && rest.isEmpty { return true }
                if double && rest.first == slash {
                    // `**/`: zero or more whole directories.
                    let after = rest.dropFirst()
                    if glob(after, text[t...]) { return true }
                    for i in t..<text.endIndex where text[i] == slash && glob(after, text[(i + 1)...]) { return true }
                    return false
                }
                var i = t
                while true {
                    if glob(rest, text[i...]) { return true }
                    guard i < text.endIndex, double || text[i] != slash else { return false }
                    i += 1
                }
            }
            guard t < text.endIndex else { return false }
            if c == UInt8(ascii: "?") {
                guard text[t] != slash else { return false }
            } else if c == UInt8(ascii: "["), let close = pattern[(p + 1)...].firstIndex(of: UInt8(ascii: "]")), close > p + 1 {
                guard classMatches(pattern[(p + 1)..<close], text[t]) else { return false }
                p = close
            } else if c == UInt8(ascii: "\\"), p + 1 < pattern.endIndex {
                p += 1
                guard pattern[p] == text[t] else { return false }
            } else if c != text[t] {
                return false
            }
            p += 1
            t += 1
        }
        return t == text.endIndex
    }

    private static func classMatches(_ set: ArraySlice<UInt8>, _ byte: UInt8) -> Bool {
        var items = set
        var negate = false
        if let first = items.first, first == UInt8(ascii: "!") || first == UInt8(ascii: "^") {
            negate = true
            items = items.dropFirst()
        }
        var found = false
        var i = items.startIndex
        while i < items.endIndex {
            if i + 2 < items.endIndex, items[i + 1] == UInt8(ascii: "-") {
                if items[i] <= byte && byte <= items[i + 2] { found = true }
                i += 3
            } else {
                if items[i] == byte { found = true }
                i += 1
            }
        }
        return found != negate && byte != UInt8(ascii: "/")
    }
}
