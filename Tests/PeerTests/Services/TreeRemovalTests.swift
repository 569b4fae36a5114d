import Testing
@testable import Peer

/// What `p2p rm` of a tree gives up (docs/gc.md, "Trees"): what no other tree of the owner
/// reaches — trees share unchanged files and whole subdirectories.
@Suite struct TreeRemovalTests {
    /// Tree A: a → {x.txt, shared/ → {s.txt}, only-a/ → {y.txt}}; tree B: b → {x.txt, shared/, z.txt}.
    let children: [String: TreeRemoval.Children] = [
        "a": .init(directories: ["shared", "only-a"], files: ["x.txt"]),
        "shared": .init(files: ["s.txt"]),
        "only-a": .init(files: ["y.txt", "x.txt"]),
        "b": .init(directories: ["shared"], files: ["x.txt", "z.txt"]),
    ]

    @Test func aTreeGivesUpOnlyWhatNoOtherTreeReaches() throws {
        let plan = try TreeRemoval.plan(removing: "a", children: children)
        #expect(plan == TreeRemoval(listings: ["a", "only-a"], files: ["y.txt"]))
        var rest = children
        rest["a"] = nil
        rest["only-a"] = nil
        #expect(try TreeRemoval.plan(removing: "b", children: rest) == TreeRemoval(listings: ["b", "shared"], files: ["x.txt", "s.txt", "z.txt"]))
    }

    @Test func aDirectoryInsideTreesIsRefusedNamingTheirRoots() {
        #expect(throws: TreeRemoval.Refusal.insideTrees(["a", "b"])) { try TreeRemoval.plan(removing: "shared", children: children) }
        #expect(throws: TreeRemoval.Refusal.insideTrees(["a"])) { try TreeRemoval.plan(removing: "only-a", children: children) }
    }

    @Test func aTreeStoredTwiceAsTheSameRootIsOneTree() throws {
        // The same tree put twice is one listing: removing it gives up everything.
        let one: [String: TreeRemoval.Children] = ["r": .init(directories: ["d"], files: ["f"]), "d": .init(files: ["g"])]
        #expect(try TreeRemoval.plan(removing: "r", children: one) == TreeRemoval(listings: ["r", "d"], files: ["f", "g"]))
    }
}
