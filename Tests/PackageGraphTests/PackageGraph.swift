import Foundation

/// The package's targets and what each depends on, as `swift package dump-package` reads
/// them from Package.swift: enough to compute what a product links.
///
/// The command runs with a scratch path of its own, because `swift test` holds the lock on
/// `.build` while the tests run and a second SwiftPM on the same folder would wait for it.
struct PackageGraph {
    /// What one target depends on: other targets of this package, and products of others.
    struct Dependencies {
        var targets: Set<String> = []
        var products: Set<String> = []
    }

    /// The names of this package's targets each product is made of.
    var products: [String: [String]]
    var targets: [String: Dependencies]

    /// Reads the manifest at the root of this repository.
    static func load(root: URL = Self.repositoryRoot) throws -> PackageGraph {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("package-graph-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "package", "--package-path", root.path, "--scratch-path", scratch.path, "dump-package"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let json = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PackageGraphError("`\(process.arguments!.joined(separator: " "))` exited with \(process.terminationStatus)")
        }
        return try PackageGraph(dumpedManifest: json)
    }

    /// `Tests/PackageGraphTests/PackageGraph.swift` → the folder holding Package.swift.
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Parses the JSON of `dump-package`: `products[].targets`, and `targets[].dependencies`
    /// as `{"byName": [name, …]}`, `{"target": [name, …]}` or `{"product": [name, package, …]}`.
    init(dumpedManifest json: Data) throws {
        guard let manifest = try JSONSerialization.jsonObject(with: json) as? [String: Any],
              let products = manifest["products"] as? [[String: Any]],
              let targets = manifest["targets"] as? [[String: Any]] else {
            throw PackageGraphError("dump-package output has no products or targets")
        }
        self.products = [:]
        for product in products {
            guard let name = product["name"] as? String, let members = product["targets"] as? [String] else { continue }
            self.products[name] = members
        }
        let names = Set(targets.compactMap { $0["name"] as? String })
        self.targets = [:]
        for target in targets {
            guard let name = target["name"] as? String else { continue }
            var dependencies = Dependencies()
            for dependency in target["dependencies"] as? [[String: Any]] ?? [] {
                if let byName = (dependency["byName"] as? [Any])?.first as? String {
                    // A bare name is a target of this package when one has it, else a product.
                    if names.contains(byName) { dependencies.targets.insert(byName) } else { dependencies.products.insert(byName) }
                } else if let target = (dependency["target"] as? [Any])?.first as? String {
                    dependencies.targets.insert(target)
                } else if let product = (dependency["product"] as? [Any])?.first as? String {
                    dependencies.products.insert(product)
                }
            }
            self.targets[name] = dependencies
        }
    }

    /// Every target of this package that `target` builds on, itself included, and every
    /// product of other packages they use.
    func closure(ofTarget target: String) -> Dependencies {
        var result = Dependencies()
        var pending = [target]
        while let next = pending.popLast() {
            guard result.targets.insert(next).inserted else { continue }
            let dependencies = targets[next] ?? Dependencies()
            result.products.formUnion(dependencies.products)
            pending.append(contentsOf: dependencies.targets)
        }
        return result
    }

    /// What the product `name` links: the closure of each of its targets.
    func closure(ofProduct name: String) -> Dependencies {
        var result = Dependencies()
        for target in products[name] ?? [] {
            let closure = closure(ofTarget: target)
            result.targets.formUnion(closure.targets)
            result.products.formUnion(closure.products)
        }
        return result
    }
}

struct PackageGraphError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
