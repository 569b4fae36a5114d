/// RFC 4648 base32 with the lowercase alphabet and no padding.
///
/// Used for every string a person copies by hand (NodeIDs, capabilities, tokens):
/// case-insensitive on decode, no ambiguous punctuation, and safe in file names and URLs.
public enum Base32 {
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, symbol) in alphabet.enumerated() {
            table[Int(symbol)] = UInt8(index)
            // Accept upper case as well: people retype these strings.
            if symbol >= UInt8(ascii: "a") && symbol <= UInt8(ascii: "z") {
                table[Int(symbol - 32)] = UInt8(index)
            }
        }
        return table
    }()

    /// Encodes bytes as lowercase base32 without padding.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                output.append(alphabet[Int((buffer >> UInt32(bits)) & 0x1F)])
            }
        }
        if bits > 0 {
            output.append(alphabet[Int((buffer << UInt32(5 - bits)) & 0x1F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes base32 (either case, no padding). Returns nil on any symbol outside the
    /// alphabet or on trailing bits that are not zero (a mistyped last character).
    public static func decode(_ string: some StringProtocol) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(string.utf8.count * 5 / 8)
        var buffer: UInt32 = 0
        var bits = 0
        for symbol in string.utf8 {
            let value = decodeTable[Int(symbol)]
            guard value != 0xFF else { return nil }
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                bits -= 8
                output.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
            }
        }
        // Leftover bits must be padding zeros and fewer than one symbol's worth.
        guard bits < 5, buffer & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return output
    }
}
