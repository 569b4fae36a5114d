import Foundation

/// The process's file-creation mask, read once without changing it (`umask(2)` can only
/// be read by setting it, which would race with files other threads create).
enum ProcessUmask {
    static let value: UInt32 = fromProcStatus() ?? 0o022

    /// The `Umask:` line of `/proc/self/status` (Linux 4.7 and later).
    private static func fromProcStatus() -> UInt32? {
        guard let file = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard text.hasPrefix("Umask:") else { continue }
            return UInt32(text.dropFirst("Umask:".count).trimmingCharacters(in: .whitespacesAndNewlines), radix: 8)
        }
        return nil
    }
}
