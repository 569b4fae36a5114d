import APIModel
import Foundation
import Home
import Testing
import TestSupport

/// Secrets are refused when others can read them, as ssh does (checked with stat(2) on
/// every read, without a user database lookup).
@Suite struct PeerHomeSecretTests {
    @Test func aSecretOthersCanReadIsRefusedWithItsMode() throws {
        let root = try Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let address = HostPort(host: "127.0.0.1", port: 1)
        let home = try PeerHome.create(
            at: root + "/home",
            configuration: PeerConfiguration(
                listen: address, advertise: address, api: address, zone: "z", capacity: 1 << 20, seeds: [],
                network: NetworkSettings(replicas: 1, writeQuorum: 1)),
            networkSecret: [UInt8](repeating: 7, count: PeerHome.networkSecretSize))
        #expect(try home.convergenceSecret().count == 32)

        let path = home.file("convergence.secret")
        #expect(chmod(path, 0o644) == 0)
        #expect(throws: PeerHomeError.self) { try home.convergenceSecret() }
        do {
            _ = try home.convergenceSecret()
        } catch let PeerHomeError.insecurePermissions(refused, mode) {
            #expect(refused == path)
            #expect(mode == 0o644)
        }
        #expect(chmod(path, 0o600) == 0)
        #expect(try home.convergenceSecret().count == 32)

        #expect(unlink(path) == 0)
        #expect(throws: PeerHomeError.self) { try home.convergenceSecret() }
    }
}
