import Codecs
import Testing

@Suite struct Base32Tests {
    @Test func rfc4648Vectors() {
        let vectors = ["": "", "f": "my", "fo": "mzxq", "foo": "mzxw6", "foob": "mzxw6yq", "fooba": "mzxw6ytb", "foobar": "mzxw6ytboi"]
        for (plain, encoded) in vectors {
            #expect(Base32.encode(Array(plain.utf8)) == encoded)
            #expect(Base32.decode(encoded) == Array(plain.utf8))
            #expect(Base32.decode(encoded.uppercased()) == Array(plain.utf8))
        }
    }

    @Test func rejectsForeignSymbolsAndNonZeroTrailingBits() {
        #expect(Base32.decode("mzxw1") == nil)
        #expect(Base32.decode("mzxw6!") == nil)
        #expect(Base32.decode("mz") == nil)  // "my" is "f"; "mz" leaves a 1 in the padding bits
        #expect(Base32.decode("m") == nil)  // five bits cannot be a byte
    }

    @Test func roundTripsEveryLength() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(Base32.decode(Base32.encode(bytes)) == bytes)
        }
    }
}

@Suite struct HexTests {
    @Test func roundTrip() {
        #expect(Hex.encode([0x00, 0xab, 0xff]) == "00abff")
        #expect(Hex.decode("00ABff") == [0x00, 0xab, 0xff])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}

@Suite struct ByteReaderTests {
    @Test func readsWhatWriterWrote() throws {
        var writer = ByteWriter()
        writer.write(UInt8(7))
        writer.write(UInt32(0xDEADBEEF))
        writer.write(UInt64.max)
        writer.write(lengthPrefixed: [1, 2, 3])
        writer.write(shortString: "héllo")
        var reader = ByteReader(writer.bytes)
        #expect(try reader.readUInt8() == 7)
        #expect(try reader.read(UInt32.self) == 0xDEADBEEF)
        #expect(try reader.read(UInt64.self) == .max)
        #expect(try reader.readLengthPrefixed(limit: 10) == [1, 2, 3])
        #expect(try reader.readShortString() == "héllo")
        try reader.expectEnd()
    }

    @Test func refusesLiesAboutLength() {
        var reader = ByteReader([0xFF, 0xFF, 0xFF, 0xFF, 1])
        #expect(throws: ByteReaderError.lengthOverLimit(length: 0xFFFF_FFFF, limit: 100)) {
            try reader.readLengthPrefixed(limit: 100)
        }
        var short = ByteReader([0, 0, 0, 5, 1])
        #expect(throws: ByteReaderError.truncated(offset: 4, needed: 5)) {
            try short.readLengthPrefixed(limit: 100)
        }
    }
}
