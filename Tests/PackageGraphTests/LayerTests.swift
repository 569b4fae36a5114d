import Testing

/// The layers Package.swift promises (docs in its comments and the README's layout): the
/// command-line tool talks to its daemon through the API's documents only, and the seams
/// below the engine stay seams. Read from the manifest, so a new dependency that breaks a
/// layer fails here before it can be linked.
@Suite struct LayerTests {
    static let engine = ["Peer", "Transport", "Membership", "Ring", "ChunkStore", "FolderSync", "API"]
    /// Read once for every test: one `swift package` run.
    static let loaded = Result { try PackageGraph.load() }

    func graph() throws -> PackageGraph { try Self.loaded.get() }

    @Test func p2pLinksNeitherTheEngineNorSQLite() throws {
        let linked = try graph().closure(ofProduct: "p2p")
        #expect(linked.targets.contains("APIClient"), "the graph was read: p2p uses the API client")
        for target in Self.engine {
            #expect(!linked.targets.contains(target), "p2p links \(target)")
        }
        #expect(!linked.products.contains("GRDB"), "p2p links GRDB")
    }

    @Test func theDaemonLinksWhatTheToolDoesNot() throws {
        // The same reading of the graph sees the engine where it is linked, so the test above
        // cannot pass merely because nothing was found.
        let linked = try graph().closure(ofProduct: "p2pd")
        #expect(linked.targets.isSuperset(of: ["Transport", "Membership", "Peer", "ChunkStore", "FolderSync"]))
        #expect(linked.products.contains("GRDB"))
    }

    @Test func theAPIClientSpeaksOnlyTheDocuments() throws {
        let linked = try graph().closure(ofTarget: "APIClient")
        for target in Self.engine {
            #expect(!linked.targets.contains(target), "APIClient links \(target)")
        }
        #expect(!linked.products.contains("GRDB"))
    }

    @Test func folderSyncSitsBesideTheEngineNotAboveIt() throws {
        let linked = try graph().closure(ofTarget: "FolderSync")
        for target in ["Peer", "Transport", "Membership", "Ring", "ChunkStore", "API"] {
            #expect(!linked.targets.contains(target), "FolderSync links \(target)")
        }
    }

    @Test func recordsAndDurableFilesNeedOnlyTheBase() throws {
        let packages = try graph()
        #expect(packages.closure(ofTarget: "Records").targets == ["Records", "OpenSSLKit", "Codecs", "COpenSSL", "CP2PShims"])
        // CFileShims: the POSIX calls Swift's Glibc module leaves out (a C file, no logic).
        #expect(packages.closure(ofTarget: "DurableFiles").targets == ["DurableFiles", "CFileShims"])
        #expect(packages.closure(ofTarget: "APIModel").targets == ["APIModel"])
    }
}
