import Foundation

/// Every path under `root` with its type, permission bits, and size (files) or target
/// (links), sorted; the caller compares file contents.
func treeDescription(_ root: String) throws -> [String] {
    let files = FileManager.default
    var lines: [String] = []
    for case let path as String in files.enumerator(atPath: root)! {
        var info = stat()
        guard lstat(root + "/" + path, &info) == 0 else { throw ClusterError(message: "cannot lstat \(path)") }
        let mode = String(info.st_mode & 0o777, radix: 8)
        switch info.st_mode & S_IFMT {
        case S_IFREG: lines.append("f \(path) \(mode) \(info.st_size)")
        case S_IFDIR: lines.append("d \(path) \(mode)")
        case S_IFLNK: lines.append("l \(path) -> \(try files.destinationOfSymbolicLink(atPath: root + "/" + path))")
        default: lines.append("? \(path)")
        }
    }
    return lines.sorted()
}
