import DurableFiles
import Foundation

/// A file written next to its final name and renamed into place only when complete:
/// temp → fsync → rename → fsync directory. Until then the final name is untouched.
///
/// Written through `write`, its bytes go to disk while the rest comes (`Writeback`).
final class TemporaryFile: @unchecked Sendable {
    let finalPath: String
    let temporaryPath: String
    let descriptor: Int32
    private var writeback = Writeback()

    init(finalPath: String, mode: mode_t = 0o644) throws {
        self.finalPath = finalPath
        let url = URL(fileURLWithPath: finalPath)
        temporaryPath = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).p2p-partial-\(getpid())").path
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw CLIError.badInput("cannot write \(finalPath): \(String(cString: strerror(errno)))") }
    }

    /// Appends all of `bytes`. Called from one task at a time.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try Self.writeAll(bytes, to: descriptor)
        writeback.wrote(bytes.count, to: descriptor)
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

    /// Writes all of `bytes`, retrying short writes and `EINTR`.
    static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) throws {
        do {
            try FileSystem<FileSystemError>.writeAll(bytes, to: descriptor, path: "the output")
        } catch {
            throw CLIError.failure("writing the output: \(String(cString: strerror(error.errno ?? EIO)))")
        }
    }
}
