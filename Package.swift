// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "p2pstore",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "p2pd", targets: ["p2pd"]),
        .executable(name: "p2p", targets: ["p2p"]),
        .executable(name: "p2psim", targets: ["p2psim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        // The local HTTP API; swift-configuration support is not needed.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // Counters and histograms through swift-metrics; p2pd exports them in Prometheus text.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // The S3 gateway answers `Expect: 100-continue` below Hummingbird, on its HTTP types.
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    ],
    targets: [
        // Layer 0: the system OpenSSL and a shim for the macros Swift cannot import.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(name: "CP2PShims", dependencies: ["COpenSSL"]),

        // Layer 1: the only Swift code that touches OpenSSL pointers (besides the TLS handler).
        .target(name: "OpenSSLKit", dependencies: ["COpenSSL", "CP2PShims"]),

        // Pure byte codecs shared by every layer above: base32, hex, binary readers and writers.
        .target(name: "Codecs"),

        // Still layer 1: small pieces that several layers above share, cut out so that each
        // user links only what it needs. None of them links NIO or SQLite.

        // Crash-safe file writes (temp → fsync → rename → fsync directory) and the POSIX
        // calls under them, for the chunk store, the home folder and folder sync alike.
        .target(name: "CFileShims"),
        .target(name: "DurableFiles", dependencies: ["CFileShims"]),

        // Signed mutable records and the endorsements that admit their signers: the format
        // the node engine stores and folder sync publishes, below both.
        .target(name: "Records", dependencies: ["OpenSSLKit", "Codecs"]),

        // The JSON documents of the local API (status, files, locate, sync), shared by the
        // engine that fills them, the server, the client and `p2p`. No dependencies.
        .target(name: "APIModel"),

        // A peer's home folder: config.json, secrets read with their permissions checked,
        // the API address and token. What `p2p` needs to find its daemon, without the engine.
        .target(name: "Home", dependencies: ["APIModel", "DurableFiles", "OpenSSLKit", "Codecs"]),

        // The one shape of every background loop (Worker, WorkerRunner, triggers, the board
        // `p2p status --workers` reads) and background jobs that never outlive their owner.
        .target(name: "Workers", dependencies: ["APIModel", .product(name: "Logging", package: "swift-log")]),

        // A shared folder's token, the keys derived from it, and folder sync's error type:
        // what `p2p sync add --token` checks before calling the daemon.
        .target(name: "FolderKeys", dependencies: ["Records", "Content", "OpenSSLKit", "Codecs"]),

        // Layer 2: TLS 1.3 over NIO, admission, frames, RPC multiplexing.
        .target(
            name: "Transport",
            dependencies: [
                "OpenSSLKit", "Codecs",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),

        // Layer 3: content addressing (pure logic plus OpenSSLKit primitives).
        .target(name: "Content", dependencies: ["OpenSSLKit", "Codecs"]),

        // Layer 4: placement and membership, pure state machines driven by a clock.
        .target(name: "Ring", dependencies: ["Codecs"]),
        .target(name: "Membership", dependencies: ["Codecs"]),
        // The simulator engine: pure (no I/O), drives the real Ring and Membership on a virtual clock.
        .target(name: "Simulation", dependencies: ["Ring", "Membership"]),

        // Layer 5: chunk bytes on disk plus SQLite metadata.
        .target(
            name: "ChunkStore",
            dependencies: [
                "OpenSSLKit", "Codecs", "DurableFiles", "CFileShims",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Layer 6: the node engine — membership driver, data path, records, repair — and the
        // credentials it reads from its home.
        .target(
            name: "Peer",
            dependencies: [
                "Transport", "OpenSSLKit", "Codecs", "ChunkStore", "Content", "Ring", "Membership",
                "Records", "APIModel", "Home", "Workers", "DurableFiles",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),

        // Layer 7: folder sync — scanner, watcher, index, planner, applier (behind the
        // `SyncNetwork` protocol, which the daemon implements with its node). Beside the
        // engine, not above it: it sees the network only through `SyncNetwork`.
        .target(
            name: "FolderSync",
            dependencies: [
                "Content", "OpenSSLKit", "Codecs", "DurableFiles", "Records", "FolderKeys", "APIModel", "Workers",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Layer 8: the local HTTP API (Hummingbird) in front of the node.
        .target(
            name: "API",
            dependencies: [
                "Peer", "Content", "OpenSSLKit", "FolderSync", "FolderKeys", "APIModel", "Home",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The client side of the local API, shared by `p2p` and the tests: the API's documents
        // and NIO, never the engine.
        .target(
            name: "APIClient",
            dependencies: [
                "APIModel", "Home",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),

        // Files on demand: libfuse3 from the system, and the read-only mount `p2p mount` serves
        // over the local API (a tree of listings, one reader per open file).
        .systemLibrary(
            name: "CFuse3",
            pkgConfig: "fuse3",
            providers: [.apt(["libfuse3-dev"])]
        ),
        .target(name: "Mount", dependencies: ["CFuse3", "APIModel", "Content"]),
        // The S3 protocol, pure: AWS Signature V4, aws-chunked bodies, S3 errors and XML,
        // bucket names and listing pages. No I/O; the gateway (`S3Gateway`) serves it.
        .target(name: "S3Protocol", dependencies: ["OpenSSLKit", "Codecs"]),

        // The S3-compatible gateway (docs/s3.md): the network's buckets as replicated indexes
        // of signed records, served over HTTP. Sees the network only through `S3Network`.
        .target(
            name: "S3Gateway",
            dependencies: [
                "S3Protocol", "Content", "Records", "OpenSSLKit", "Codecs", "DurableFiles", "APIModel",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Executables.
        .executableTarget(
            name: "p2pd",
            dependencies: [
                "Peer", "API", "S3Gateway", "Transport", "OpenSSLKit", "ChunkStore", "FolderSync", "Content",
                "Records", "FolderKeys", "APIModel", "Home",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The command-line tool talks to its daemon through the API only: it links the
        // documents, the client and the home, never the engine (`PackageGraphTests`).
        .executableTarget(
            name: "p2p",
            dependencies: [
                "Content", "OpenSSLKit", "Codecs", "APIClient", "APIModel", "Home", "FolderKeys", "Mount", "DurableFiles",
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .executableTarget(
            name: "p2psim",
            dependencies: [
                "Simulation", "Ring", "Membership",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Tools: the crash-test writer, benchmarks.
        .executableTarget(
            name: "chunkstore-crashwriter",
            dependencies: ["ChunkStore", "Codecs", "OpenSSLKit", .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "chunkstore-bench",
            dependencies: ["ChunkStore", "Codecs", "OpenSSLKit", .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "bench-gc",
            dependencies: ["ChunkStore", "Codecs", "OpenSSLKit", "Peer", .product(name: "Logging", package: "swift-log")],
            path: "tools/bench-gc"
        ),
        .executableTarget(
            name: "bench-content",
            dependencies: ["Content", "OpenSSLKit", "ChunkStore", .product(name: "Logging", package: "swift-log")],
            path: "tools/bench-content"
        ),
        .executableTarget(
            name: "bench-transport",
            dependencies: [
                "Transport", "OpenSSLKit",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "tools/bench-transport",
            exclude: ["reference_tls.py"]
        ),

        // Tests.
        .testTarget(name: "OpenSSLKitTests", dependencies: ["OpenSSLKit", "Codecs"]),
        // The layers themselves: what each product links, read from this manifest.
        .testTarget(name: "PackageGraphTests"),
        .testTarget(
            name: "TransportTests",
            dependencies: [
                "Transport", "OpenSSLKit", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "ContentTests", dependencies: ["Content", "OpenSSLKit", "Codecs"]),
        .testTarget(name: "CodecsTests", dependencies: ["Codecs"]),
        .testTarget(name: "S3ProtocolTests", dependencies: ["S3Protocol", "OpenSSLKit", "Codecs"]),
        .testTarget(
            name: "S3GatewayTests",
            dependencies: ["S3Gateway", "S3Protocol", "Content", "Records", "OpenSSLKit", .product(name: "Logging", package: "swift-log")]
        ),
        // What several test targets share: captured logs, folders on disk and their snapshots.
        .target(
            name: "TestSupport",
            dependencies: [
                "FolderSync", "FolderKeys",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "FolderSyncTests",
            dependencies: [
                "FolderSync", "FolderKeys", "Records", "APIModel", "TestSupport", "Content", "OpenSSLKit", "Codecs", "Workers",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "RingTests", dependencies: ["Ring"]),
        .testTarget(
            name: "PeerTests",
            dependencies: [
                "Peer", "APIClient", "Transport", "OpenSSLKit", "Codecs", "Content", "ChunkStore", "Ring", "Membership", "FolderSync", "TestSupport",
                "Records", "FolderKeys", "APIModel", "Home", "Workers",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Process-level tests: real `p2pd` and `p2p` binaries with homes of their own, driven
        // through the CLI and the HTTP API (the top tier; PeerTests holds the engine's unit and
        // in-process cluster tests).
        .testTarget(
            name: "ProcessTests",
            dependencies: [
                "Peer", "APIClient", "APIModel", "Home", "Content", "Codecs", "OpenSSLKit", "FolderSync", "FolderKeys", "TestSupport", "Mount", "Membership",
                .product(name: "Logging", package: "swift-log"),
            ],
            // The history checker's handmade histories (tools/netlab-check verify).
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "MembershipTests", dependencies: ["Membership"]),
        .testTarget(name: "MountTests", dependencies: ["Mount", "APIModel", "Content"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Ring", "Membership"]),
        .testTarget(
            name: "APITests",
            dependencies: [
                "API", "APIClient", "APIModel", "Home", "Peer", "Content", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ChunkStoreTests",
            dependencies: [
                "ChunkStore", "OpenSSLKit", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// The libFuzzer target exists only when asked for (`P2P_FUZZ=1`, see tools/fuzz): it needs
// `-sanitize=fuzzer`, which ordinary builds and test runs must not see.
// `FuzzDriver` hands each fuzzer's `main` to libFuzzer's driver.
if Context.environment["P2P_FUZZ"] == "1" {
    package.targets.append(contentsOf: [
        .target(name: "FuzzDriver"),
        .executableTarget(
            name: "FrameFuzzer",
            dependencies: ["FuzzDriver", "Transport", .product(name: "NIOCore", package: "swift-nio")]
        ),
        // The folder-index and announcement decoders, through the checks the tests share.
        .executableTarget(name: "FolderIndexFuzzer", dependencies: ["FuzzDriver", "TestSupport", "FolderSync"]),
    ])
    package.products.append(contentsOf: [
        .executable(name: "FrameFuzzer", targets: ["FrameFuzzer"]),
        .executable(name: "FolderIndexFuzzer", targets: ["FolderIndexFuzzer"]),
    ])
}
