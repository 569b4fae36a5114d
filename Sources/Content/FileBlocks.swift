#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The contents of a file as a sequence of blocks read with `read(2)`.
public struct FileBlocks: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    public let path: String
    public let blockSize: Int

    public init(path: String, blockSize: Int = 1 << 20) {
        self.path = path
        self.blockSize = blockSize
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(path: path, blockSize: blockSize)
    }

    /// Opens the file on the first `next()` and closes it at the end or on deinit.
    public final class Iterator: AsyncIteratorProtocol {
        private let path: String
        private let blockSize: Int
        private var descriptor: Int32 = -1
        private var done = false

        init(path: String, blockSize: Int) {
            self.path = path
            self.blockSize = blockSize
        }

        public func next() async throws -> [UInt8]? {
            guard !done else { return nil }
            var blockSize = blockSize
            if descriptor < 0 {
                descriptor = open(path, O_RDONLY | O_CLOEXEC)
                guard descriptor >= 0 else { throw FileReadError(path: path, code: errno) }
                // A small file gets a block of its size (and one byte to see the end), not
                // a whole block: a folder's first scan reads thousands of them at once.
                var info = stat()
                if fstat(descriptor, &info) == 0, info.st_size >= 0, info.st_size < blockSize {
                    blockSize = Int(info.st_size) + 1
                }
            }
            // Read straight into uninitialized storage: zero-filling a block first would
            // touch every byte once more for nothing.
            var failure: Int32?
            let block = [UInt8](unsafeUninitializedCapacity: blockSize) { buffer, initialized in
                while initialized < blockSize {
                    let count = read(descriptor, buffer.baseAddress! + initialized, blockSize - initialized)
                    if count < 0 {
                        if errno == EINTR { continue }
                        failure = errno
                        return
                    }
                    if count == 0 { return }
                    initialized += count
                }
            }
            if let failure { throw FileReadError(path: path, code: failure) }
            let filled = block.count
            if filled < blockSize {
                finish()
                if filled == 0 { return nil }
            }
            return block
        }

        private func finish() {
            done = true
            if descriptor >= 0 { close(descriptor) }
            descriptor = -1
        }

        deinit {
            if descriptor >= 0 { close(descriptor) }
        }
    }
}

/// A file could not be opened or read.
public struct FileReadError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var code: Int32

    public var description: String {
        "cannot read \(path): \(String(cString: strerror(code)))"
    }
}
