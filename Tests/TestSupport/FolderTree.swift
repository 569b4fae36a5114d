import Foundation
import FolderSync

/// A folder on disk for tests, and its contents as the tests compare them: every path
/// with its kind, bytes (files), mode, mtime (files) and link target.
public struct FolderTree: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    public static func temporary(_ label: String) -> FolderTree {
        let root = NSTemporaryDirectory() + "p2p-sync-\(label)-" + UUID().uuidString.prefix(8)
        try! FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        return FolderTree(root: root)
    }

    public func write(_ relative: String, _ text: String, mode: Int = 0o644) throws {
        try write(relative, bytes: Array(text.utf8), mode: mode)
    }

    public func write(_ relative: String, bytes: [UInt8], mode: Int = 0o644) throws {
        let url = URL(fileURLWithPath: root + "/" + relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
    }

    public func read(_ relative: String) -> String? {
        FileManager.default.contents(atPath: root + "/" + relative).map { String(decoding: $0, as: UTF8.self) }
    }

    public func remove(_ relative: String) throws { try FileManager.default.removeItem(atPath: root + "/" + relative) }

    public func move(_ from: String, _ to: String) throws {
        try FileManager.default.moveItem(atPath: root + "/" + from, toPath: root + "/" + to)
    }

    public func makeDirectory(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: root + "/" + relative, withIntermediateDirectories: true)
    }

    public func link(_ relative: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: root + "/" + relative, withDestinationPath: target)
    }

    /// Every path except the ignore file, described for comparison.
    public func snapshot() throws -> [String: String] {
        var result: [String: String] = [:]
        for (key, entry) in try FolderScanner(root: root, ignore: .none).scan() {
            let path = key.path
            switch entry.kind {
            case .directory: result[path] = "dir \(String(entry.mode, radix: 8))"
            case .symlink: result[path] = "link -> \(entry.symlinkTarget)"
            case .file:
                let bytes = FileManager.default.contents(atPath: root + "/" + path) ?? Data()
                result[path] = "file \(String(entry.mode, radix: 8)) \(entry.modifiedNanoseconds) \(bytes.count) \(bytes.hashValue)"
            }
        }
        return result
    }

    public func destroy() { try? FileManager.default.removeItem(atPath: root) }
}
