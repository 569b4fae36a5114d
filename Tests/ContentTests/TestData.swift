import OpenSSLKit

/// Deterministic inputs for tests.
enum TestData {
    /// The fixtures' generator: concat SHA-256(seed_utf8 || counter_u64_be), counter from 0, truncated.
    static func hashStream(seed: String, length: Int) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(length + 32)
        var block = Array(seed.utf8) + [UInt8](repeating: 0, count: 8)
        let counterStart = block.count - 8
        var counter: UInt64 = 0
        while output.count < length {
            withUnsafeBytes(of: counter.bigEndian) { bytes in
                for index in 0..<8 { block[counterStart + index] = bytes[index] }
            }
            output.append(contentsOf: SHA256.hash(block))
            counter += 1
        }
        output.removeLast(output.count - length)
        return output
    }

    /// Cheap pseudo-random bytes (xorshift64*), for large inputs.
    static func randomBytes(count: Int, seed: UInt64) -> [UInt8] {
        var state = seed | 1
        var output = [UInt8](repeating: 0, count: count)
        output.withUnsafeMutableBytes { buffer in
            var position = 0
            while position < count {
                state ^= state >> 12
                state ^= state << 25
                state ^= state >> 27
                var word = (state &* 0x2545_F491_4F6C_DD1D).littleEndian
                let take = min(8, count - position)
                withUnsafeBytes(of: &word) { bytes in
                    for index in 0..<take { buffer[position + index] = bytes[index] }
                }
                position += take
            }
        }
        return output
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
