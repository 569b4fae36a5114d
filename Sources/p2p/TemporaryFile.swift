import Foundation

/// A file written next to its final name and renamed into place only when complete:
/// temp → fsync → rename → fsync directory. Until then the final name is untouched.
struct TemporaryFile: @unchecked Sendable {
    let finalPath: String
    let temporaryPath: String
    let descriptor: Int32

    init(finalPath: String, mode: mode_t = 0o644) throws {
        self.finalPath = finalPath
        let url = URL(fileURLWithPath: finalPath)
        temporaryPath = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).p2p-partial-\(getpid())").path
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw CLIError.badInput("cannot write \(finalPath): \(String(cString: strerror(errno)))") }
    }

    func commit() throws {
        guard fsync(descriptor) == 0 else { throw CLIError.failure("fsync \(temporaryPath): \(String(cString: strerror(errno)))") }
        close(descriptor)
        guard rename(temporaryPath, finalPath) == 0 else { throw CLIError.failure("rename to \(finalPath): \(String(cString: strerror(errno)))") }
        let directory = open(URL(fileURLWithPath: finalPath).deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }

    func discard() {
        close(descriptor)
        unlink(temporaryPath)
    }
}
