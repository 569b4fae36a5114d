import APIModel
import Content

/// The JSON form of a directory (`DirectoryDocument`) and the listing the network stores.
extension DirectoryDocument {
    /// The document of a listing read from the network.
    init(_ listing: DirectoryListing) {
        self.init(entries: listing.entries.map { entry in
            let (type, cap, target): (String, String?, String?) = switch entry.kind {
            case .file(let root): ("file", Capability(root: root).description, nil)
            case .directory(let root): ("directory", Capability(root: root).description, nil)
            case .symlink(let text): ("symlink", nil, text)
            }
            return Entry(
                name: entry.name, type: type, mode: entry.mode, mtimeNanoseconds: entry.modificationTimeNanoseconds,
                size: entry.size, cap: cap, target: target)
        })
    }

    /// The listing to store; refuses, with the entry and the reason, a name that is not one
    /// path component, an unknown type, a missing or malformed capability or target.
    func listing() throws(APIError) -> DirectoryListing {
        var entries: [DirectoryEntry] = []
        entries.reserveCapacity(self.entries.count)
        for entry in self.entries {
            let kind: DirectoryEntry.Kind
            switch entry.type {
            case "file", "directory":
                guard let text = entry.cap, let cap = try? Capability(parsing: text) else {
                    throw APIError.badRequest("entry \(entry.name.debugDescription): a \(entry.type) needs a valid cap")
                }
                kind = entry.type == "file" ? .file(cap.root) : .directory(cap.root)
            case "symlink":
                guard let target = entry.target, !target.isEmpty, target.utf8.count <= DirectoryListing.maxTargetLength,
                      !target.utf8.contains(0)
                else { throw APIError.badRequest("entry \(entry.name.debugDescription): a symlink needs a target of 1 to 4096 bytes") }
                kind = .symlink(target: target)
            default:
                throw APIError.badRequest("entry \(entry.name.debugDescription): type must be file, directory or symlink")
            }
            // Permission bits only: setuid, setgid and sticky never travel.
            entries.append(DirectoryEntry(
                name: entry.name, kind: kind, mode: entry.mode & 0o777, modificationTimeNanoseconds: entry.mtimeNanoseconds,
                size: entry.type == "directory" ? 0 : entry.size))
        }
        do {
            return try DirectoryListing(entries: entries)
        } catch {
            throw APIError.badRequest("not a valid directory: \(error)")
        }
    }
}
