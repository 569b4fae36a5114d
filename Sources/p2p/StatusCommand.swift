import APIClient
import APIModel
import Content
import ArgumentParser
import Foundation
import Home

/// `p2p status`: every peer this peer knows, from `GET /v1/status` of the local daemon.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "List the peers of the network as the local peer sees them."
    )

    @ParentCommand var root: P2P
    @OptionGroup var home: HomeOption

    @Flag(help: "Print the status document as JSON (docs/api.md).")
    var json = false

    @Flag(help: "Print this peer's durability figures: chunks at N, below N, at zero known replicas, repair backlog, scrub.")
    var durability = false

    @Flag(help: "Print this peer's background workers (membership, repair, scrub, …) and their last run.")
    var workers = false

    func run() async throws {
        let peerHome = home.resolved(before: root.home)
        let client = try APIClient.connecting(to: peerHome)
        let response: APIClientResponse
        let status: NodeStatus
        do {
            response = try await client.request(.GET, "/v1/status")
            status = try JSONDecoder().decode(NodeStatus.self, from: Data(response.body))
        } catch let error as APIClientError {
            throw CLIError.from(error, home: peerHome)
        } catch {
            throw CLIError.failure("unexpected status document from \(client.address): \(error)")
        }
        var output = OutputBuffer()
        if durability {
            guard let figures = status.durability else {
                throw CLIError.failure("the daemon at \(client.address) reports no durability figures (older version)")
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                output.write(String(decoding: try encoder.encode(figures), as: UTF8.self) + "\n")
            } else {
                output.write(DurabilityTable.render(figures, node: status.node, replicas: status.network.replicas))
            }
        } else if workers {
            guard let entries = status.workers else {
                throw CLIError.failure("the daemon at \(client.address) reports no workers (older version)")
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                output.write(String(decoding: try encoder.encode(entries), as: UTF8.self) + "\n")
            } else {
                output.write(WorkerTable.render(entries))
            }
        } else if json {
            output.write(String(decoding: response.body, as: UTF8.self))
        } else {
            output.write(StatusTable.render(status))
        }
        output.flush()
    }
}

extension APIClient {
    /// The client for a home, with the home's problems as one CLI line (exit 1).
    static func connecting(to home: PeerHome) throws -> APIClient {
        do {
            return try APIClient(home: home)
        } catch {
            throw CLIError.failure("\(error)")
        }
    }
}

extension CLIError {
    /// The CLI's line for a failed API request.
    static func from(_ error: APIClientError, home: PeerHome, capability: String? = nil) -> CLIError {
        switch error {
        case .failed(404, _) where capability != nil:
            .failure("not found: no peer holds \(capability!.prefix(24))…")
        case .unreachable(let address, _):
            .failure("no daemon at \(address) — is `p2pd run` running?")
        case .refusedToken:
            .failure("the API refused the token in \(home.file("api.token"))")
        case .failed(_, let message):
            // The daemon's own words: they say what failed, without HTTP.
            .failure(message)
        default:
            .failure(error.description)
        }
    }
}

extension CLIError {
    /// One request to the daemon of `home`; its failures become the CLI's one-line errors.
    static func asking<Answer>(_ home: PeerHome, _ request: (APIClient) async throws -> Answer) async throws -> Answer {
        do {
            return try await request(try APIClient.connecting(to: home))
        } catch let error as APIClientError {
            throw CLIError.from(error, home: home)
        }
    }

    /// Refuses a malformed capability before any network traffic (exit 2).
    static func validate(capability: String) throws {
        do {
            _ = try Capability(parsing: capability)
        } catch {
            throw CLIError.badInput("\(error)")
        }
    }
}
