import Codecs
import OpenSSLKit
import Testing

@Suite struct HashTests {
    @Test func sha256KnownAnswers() {
        #expect(Hex.encode(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.encode(SHA256.hash([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func md5KnownAnswers() {
        #expect(Hex.encode(MD5.hash([UInt8]())) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(Hex.encode(MD5.hash(Array("abc".utf8))) == "900150983cd24fb0d6963f7d28e17f72")
        let hasher = MD5()
        hasher.update(Array("a".utf8))
        hasher.update(Array("bc".utf8))
        #expect(Hex.encode(hasher.finalize()) == "900150983cd24fb0d6963f7d28e17f72")
    }

    @Test func streamingEqualsOneShot() {
        let data = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let hasher = SHA256()
        var index = 0
        while index < data.count {
            let end = min(data.count, index + 777)
            hasher.update(Array(data[index..<end]))
            index = end
        }
        #expect(hasher.finalize() == SHA256.hash(data))
    }

    @Test func hmacRFC4231Case2() {
        let mac = HMACSHA256.authenticate(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(Hex.encode(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(HMACSHA256.isEqual(mac, mac))
        var other = mac
        other[31] ^= 1
        #expect(!HMACSHA256.isEqual(mac, other))
    }
}

@Suite struct AESGCMTests {
    @Test func roundTripAndTamperDetection() throws {
        let key = try SecureRandom.bytes(count: 32)
        let nonce = [UInt8](repeating: 0, count: 12)
        for size in [0, 1, 15, 16, 17, 4096, 100_003] {
            let plaintext = try SecureRandom.bytes(count: size)
            let sealed = try AESGCM.seal(plaintext, key: key, nonce: nonce)
            #expect(sealed.count == size + AESGCM.tagSize)
            #expect(try AESGCM.open(sealed, key: key, nonce: nonce) == plaintext)
            var tampered = sealed
            tampered[tampered.count / 2] ^= 0x40
            #expect(throws: AESGCM.Failure.authenticationFailed) { try AESGCM.open(tampered, key: key, nonce: nonce) }
        }
    }

    @Test func nistVector() throws {
        // NIST GCM test case 13 (AES-256, zero key, zero IV, empty plaintext).
        let sealed = try AESGCM.seal([UInt8](), key: [UInt8](repeating: 0, count: 32), nonce: [UInt8](repeating: 0, count: 12))
        #expect(Hex.encode(sealed) == "530f8afbc74536b9a963b4f1c4cb738b")
    }

    @Test func rejectsBadSizes() {
        #expect(throws: AESGCM.Failure.badKeySize(16)) { try AESGCM.seal([1], key: [UInt8](repeating: 0, count: 16), nonce: [UInt8](repeating: 0, count: 12)) }
        #expect(throws: AESGCM.Failure.ciphertextTooShort(3)) { try AESGCM.open([1, 2, 3], key: [UInt8](repeating: 0, count: 32), nonce: [UInt8](repeating: 0, count: 12)) }
    }
}

@Suite struct KeyAndCertificateTests {
    @Test func ed25519SignVerifyAndPEM() throws {
        let key = try Ed25519PrivateKey()
        let message = Array("hello".utf8)
        let signature = try key.signature(for: message)
        #expect(key.publicKey.isValidSignature(signature, for: message))
        #expect(!key.publicKey.isValidSignature(signature, for: Array("hellp".utf8)))
        let reloaded = try Ed25519PrivateKey(pem: try key.pemRepresentation())
        #expect(reloaded.publicKey == key.publicKey)
        #expect(throws: OpenSSLError.self) { try Ed25519PrivateKey(pem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n") }
    }

    @Test func selfSignedCertificateRoundTrip() throws {
        let key = try Ed25519PrivateKey()
        let certificate = try Certificate.selfSigned(key: key, commonName: "peer")
        let pem = try certificate.pemRepresentation()
        #expect(pem.hasPrefix("-----BEGIN CERTIFICATE-----"))
        let reloaded = try Certificate(pem: pem)
        #expect(try reloaded.subjectPublicKeyInfoDER() == certificate.subjectPublicKeyInfoDER())
        #expect(reloaded.ed25519PublicKey == key.publicKey)
        // Ed25519 SPKI is a fixed 12-byte prefix plus the raw key.
        let spki = try certificate.subjectPublicKeyInfoDER()
        #expect(spki.count == 44 && Array(spki.suffix(32)) == key.publicKey.rawRepresentation)
    }

    @Test func openSSLFailuresCarryReasons() {
        do {
            _ = try Certificate(pem: "not a certificate")
            Issue.record("expected a failure")
        } catch {
            #expect(error.operation == "PEM_read_bio_X509")
            #expect(!error.reasons.isEmpty)
        }
    }

    @Test func randomBytesDiffer() throws {
        #expect(try SecureRandom.bytes(count: 32) != SecureRandom.bytes(count: 32))
    }
}
