import COpenSSL

/// Owns an OpenSSL memory BIO, used to move PEM text in and out of OpenSSL.
final class MemoryBIO {
    let pointer: OpaquePointer

    init() throws(OpenSSLError) {
        pointer = try checkNotNil(BIO_new(BIO_s_mem()), "BIO_new")
    }

    init(_ bytes: [UInt8]) throws(OpenSSLError) {
        pointer = try checkNotNil(BIO_new(BIO_s_mem()), "BIO_new")
        if !bytes.isEmpty {
            guard BIO_write(pointer, bytes, Int32(bytes.count)) == Int32(bytes.count) else {
                BIO_free(pointer)
                throw OpenSSLError.drain("BIO_write")
            }
        }
    }

    deinit { BIO_free(pointer) }

    /// Everything written into the BIO so far.
    func readAll() -> [UInt8] {
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = BIO_read(pointer, &chunk, Int32(chunk.count))
            if count <= 0 { break }
            output.append(contentsOf: chunk[0..<Int(count)])
        }
        return output
    }
}
