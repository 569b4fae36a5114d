import APIClient
import APIModel
import ArgumentParser
import Foundation

/// `p2p s3 key create|list|delete`: the network-wide access keys of the S3 gateway
/// (docs/s3.md). Any peer's gateway accepts a key made on any peer.
struct S3Command: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "s3", abstract: "Manage the S3 gateway's access keys.", subcommands: [Key.self])

    struct Key: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create, list or delete S3 access keys.", subcommands: [Create.self, List.self, Delete.self])
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make an access key; prints its id and secret (the secret is shown only now).")
        @OptionGroup var home: HomeOption
        @Option(help: "A label for the key.") var name = ""
        @Option(name: .customLong("bucket"), help: "Limit the key to this bucket (repeat for several; default: every bucket).")
        var buckets: [String] = []
        @Flag(help: "Print {\"accessKeyId\":…,\"secretAccessKey\":…} as JSON.") var json = false

        func run() async throws {
            let key = try await CLIError.asking(home.peerHome) { try await $0.createS3Key(name: name, buckets: buckets) }
            if json { return try NetworkCommand.printJSON(key) }
            print("AccessKeyId:     \(key.accessKeyId)")
            print("SecretAccessKey: \(key.secretAccessKey ?? "")")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the access keys (never their secrets).")
        @OptionGroup var home: HomeOption
        @Flag(help: "Print the JSON document of GET /v1/s3/keys.") var json = false

        func run() async throws {
            let keys = try await CLIError.asking(home.peerHome) { try await $0.s3Keys() }
            if json { return try NetworkCommand.printJSON(keys) }
            for key in keys {
                let created = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: key.created))
                let scope = key.buckets.isEmpty ? "all buckets" : key.buckets.joined(separator: ",")
                print("\(key.accessKeyId)  \(created)  \(scope)  \(key.name)")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an access key: no gateway accepts it any more.")
        @OptionGroup var home: HomeOption
        @Argument(help: "The access key id.") var id: String

        func run() async throws {
            try await CLIError.asking(home.peerHome) { try await $0.deleteS3Key(id) }
            print("deleted \(id)")
        }
    }
}
