import APIClient
import Codecs
import Foundation
import OpenSSLKit
import Testing

/// The main job with real processes: `p2p put` through one peer, `p2p get` through another,
/// while replicas die.
@Suite(.serialized) struct DataPathProcessTests {
    @Test func fiftyFilesUpTo64MiBPutThroughSomePeersReadBackThroughOthers() async throws {
        let cluster = try ProcessCluster(peers: 5)
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(5))

        // 50 sizes from 0 B to 64 MiB, most small, a few large (about 200 MiB in all).
        let sizes = [0, 1, 2, 100, 4095, 4096, 4097, 65_535, 65_536, 65_537, 262_144, 1 << 20, 3 << 20, 16 << 20, 64 << 20]
            + (0..<35).map { 1 + ($0 * 7_919 * 13) % 900_000 }
        var files: [(path: String, cap: String)] = []
        for (index, size) in sizes.enumerated() {
            let path = cluster.root + "/in-\(index)"
            try writeRandomFile(path, size: size)
            let put = try cluster.p2p(index % 5, ["put", "--quiet", path])
            #expect(put.status == 0, "put of \(size) bytes: \(put.stderr)")
            files.append((path, put.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        for (index, file) in files.enumerated() {
            let out = cluster.root + "/out-\(index)"
            let get = try cluster.p2p((index + 2) % 5, ["get", "--quiet", file.cap, "-o", out])
            #expect(get.status == 0, "get: \(get.stderr)")
            #expect(FileManager.default.contentsEqual(atPath: file.path, andPath: out), "file \(index) differs")
        }
    }

    @Test func aFileSurvivesTheLossOfTwoOfItsReplicaPeersAndBadInputIsRefused() async throws {
        let cluster = try ProcessCluster(peers: 5)
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(5))
        let path = cluster.root + "/in"
        try writeRandomFile(path, size: 5 << 20)
        let cap = try cluster.p2p(0, ["put", "--quiet", path]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        // The put returned after W = 2 copies; the third follows in the background.
        struct Report: Decodable { struct Chunk: Decodable { var id: String; var holders: [String] }; var chunks: [Chunk] }
        var report = Report(chunks: [])
        var lastAnswer = ""
        let replicated = await Daemon.eventually(timeout: .seconds(20)) {
            guard let located = try? cluster.p2p(1, ["locate", "--json", cap]) else { return false }
            lastAnswer = located.stdout + located.stderr
            guard located.status == 0, let decoded = try? JSONDecoder().decode(Report.self, from: Data(located.stdout.utf8)) else { return false }
            report = decoded
            return !decoded.chunks.isEmpty && decoded.chunks.allSatisfy { $0.holders.count == 3 }
        }
        #expect(replicated, "locate said: \(lastAnswer.prefix(600))")
        let victims = try (0..<5).filter { try report.chunks[0].holders.contains(cluster.nodeID($0)) }.prefix(2)
        for victim in victims { cluster.kill(victim) }
        let survivor = (0..<5).first { !victims.contains($0) }!

        let out = cluster.root + "/out"
        let get = try cluster.p2p(survivor, ["get", "--quiet", cap, "-o", out])
        #expect(get.status == 0, "get after losing two replicas: \(get.stderr)")
        #expect(FileManager.default.contentsEqual(atPath: path, andPath: out))

        // Bad input: exit 2 for a malformed capability, 1 for one nobody holds, 401 without the token.
        let malformed = try cluster.p2p(survivor, ["get", String(cap.dropLast(3))])
        #expect(malformed.status == 2)
        #expect(malformed.stderr.hasPrefix("p2p: "))
        let unknown = try cluster.p2p(survivor, ["get", try unknownCapability()])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("not found"))
        #expect(!FileManager.default.fileExists(atPath: cluster.root + "/never"))
        let wrongToken = APIClient(address: try cluster.client(survivor).address, token: "wrong")
        await #expect(throws: APIClientError.self) { _ = try await wrongToken.status() }
    }

    @Test func twoGibibytesStreamThroughADaemonThatStaysUnder256MiB() async throws {
        let cluster = try ProcessCluster(peers: 3)
        defer { cluster.shutdown() }
        #expect(await cluster.waitUntilAlive(3))
        let size: UInt64 = 2 << 30
        let (cap, sentDigest) = try putGenerated(cluster: cluster, peer: 0, size: size)
        let receivedDigest = try getDigest(cluster: cluster, peer: 0, cap: cap)
        #expect(receivedDigest.count == size)
        #expect(receivedDigest.digest == sentDigest)
        let peak = try #require(cluster.peakMemory(0))
        print("peak RSS of the coordinating daemon: \(peak >> 20) MiB")
        #expect(peak < 256 << 20)
    }

    // MARK: - Helpers

    /// A well-formed capability for content nobody stored.
    private func unknownCapability() throws -> String {
        var raw: [UInt8] = [1] + (try SecureRandom.bytes(count: 64))
        raw += SHA256.hash(raw).prefix(4)
        return "p2p1:" + Base32.encode(raw)
    }

    /// `p2p put -` fed with `size` generated bytes; returns the capability and the SHA-256 sent.
    private func putGenerated(cluster: ProcessCluster, peer: Int, size: UInt64) throws -> (String, [UInt8]) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Daemon.cli)
        process.arguments = ["--home", cluster.homes[peer], "put", "--quiet", "-"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let hasher = SHA256()
        var block = [UInt8](repeating: 0, count: 1 << 20)
        var generator = UInt64(0x9E37_79B9_7F4A_7C15)
        var sent: UInt64 = 0
        while sent < size {
            block.withUnsafeMutableBytes { raw in
                let words = raw.bindMemory(to: UInt64.self)
                for index in words.indices {
                    generator ^= generator << 13; generator ^= generator >> 7; generator ^= generator << 17
                    words[index] = generator
                }
            }
            hasher.update(block)
            try input.fileHandleForWriting.write(contentsOf: block)
            sent += UInt64(block.count)
        }
        try input.fileHandleForWriting.close()
        let cap = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ClusterError(message: "put - failed") }
        return (cap.trimmingCharacters(in: .whitespacesAndNewlines), hasher.finalize())
    }

    private func getDigest(cluster: ProcessCluster, peer: Int, cap: String) throws -> (digest: [UInt8], count: UInt64) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Daemon.cli)
        process.arguments = ["--home", cluster.homes[peer], "get", "--quiet", cap]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let hasher = SHA256()
        var count: UInt64 = 0
        while true {
            let data = output.fileHandleForReading.readData(ofLength: 1 << 20)
            if data.isEmpty { break }
            count += UInt64(data.count)
            hasher.update([UInt8](data))
        }
        process.waitUntilExit()
        return (hasher.finalize(), count)
    }
}
