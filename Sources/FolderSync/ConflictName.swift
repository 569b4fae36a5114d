/// Names a conflict copy as Syncthing does: `NAME.sync-conflict-YYYYMMDD-HHMMSS-<device>.EXT`
/// next to the winner, so users who know Syncthing recognise it and tools that ignore
/// Syncthing's conflicts ignore ours.
public enum ConflictName {
    public static let marker = ".sync-conflict-"

    /// Longest name a file system takes for one path component (Linux's NAME_MAX).
    public static let maximumNameLength = 255
    /// How many numbered variants are tried when a copy's name is taken.
    public static let maximumVariants = 100

    /// - Parameters:
    ///   - path: the conflicted path, relative to the folder.
    ///   - secondsSince1970: when the conflict was resolved, in UTC.
    ///   - device: the short label of the device whose version lost.
    ///   - variant: 0 for the plain name; n > 0 adds `-n` for a name already taken.
    /// A name that would be too long for the file system keeps the start of its base
    /// (cut at a character boundary), so the copy can always be made.
    public static func make(for path: String, secondsSince1970: Int64, device: String, variant: Int = 0) -> String {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        // The extension is what follows the last dot, unless the dot starts the name.
        let dot = name.lastIndex(of: ".").flatMap { $0 == name.startIndex ? nil : $0 }
        var base = dot.map { String(name[..<$0]) } ?? name
        var ext = dot.map { String(name[$0...]) } ?? ""
        let suffix = marker + stamp(secondsSince1970) + "-" + device + (variant > 0 ? "-\(variant)" : "")
        if ext.utf8.count > 32 {
            // A long "extension" is part of the name: keep it in the base, which may be cut.
            base += ext
            ext = ""
        }
        let room = maximumNameLength - suffix.utf8.count - ext.utf8.count
        while base.utf8.count > room { base.removeLast() }
        return directory + base + suffix + ext
    }

    public static func isConflictCopy(_ path: String) -> Bool {
        path.split(separator: "/").last?.contains(marker) ?? false
    }

    /// `YYYYMMDD-HHMMSS` in UTC, from the civil-from-days algorithm (no calendar needed).
    static func stamp(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)\(two(month))\(two(day))-\(two(secondOfDay / 3600))\(two(secondOfDay / 60 % 60))\(two(secondOfDay % 60))"
    }
}
