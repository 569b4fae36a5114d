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
        let plan = try TreeRemoval.plan(removing: "a", children: children, explicitRoots: ["a", "b"])
        #expect(plan == TreeRemoval(listings: ["a", "only-a"], files: ["y.txt"]))
        var rest = children
        rest["a"] = nil
        rest["only-a"] = nil
        #expect(try TreeRemoval.plan(removing: "b", children: rest, explicitRoots: ["b"]) == TreeRemoval(listings: ["b", "shared"], files: ["x.txt", "s.txt", "z.txt"]))
    }

    @Test func aDirectoryInsideTreesIsRefusedNamingTheirRoots() {
        #expect(throws: TreeRemoval.Refusal.insideTrees(["a", "b"])) { try TreeRemoval.plan(removing: "shared", children: children, explicitRoots: []) }
        #expect(throws: TreeRemoval.Refusal.insideTrees(["a"])) { try TreeRemoval.plan(removing: "only-a", children: children, explicitRoots: ["a"]) }
    }

    @Test func aTreeStoredTwiceAsTheSameRootIsOneTree() throws {
        // The same tree put twice is one listing: removing it gives up everything.
        let one: [String: TreeRemoval.Children] = ["r": .init(directories: ["d"], files: ["f"]), "d": .init(files: ["g"])]
        #expect(try TreeRemoval.plan(removing: "r", children: one, explicitRoots: ["r"]) == TreeRemoval(listings: ["r", "d"], files: ["f", "g"]))
    }

    @Test func aSubtreeStoredOnItsOwnStaysWhenTheLargerTreeGoes() throws {
        // `put -r photos/2024` printed "s"; later `put -r photos` printed "r", which holds "s".
        let nested: [String: TreeRemoval.Children] = [
            "r": .init(directories: ["s"], files: ["top.jpg"]), "s": .init(files: ["a.jpg", "b.jpg"]),
        ]
        #expect(try TreeRemoval.plan(removing: "r", children: nested, explicitRoots: ["r", "s"]) == TreeRemoval(listings: ["r"], files: ["top.jpg"]))
        // And removing "s" as a tree gives up nothing "r" still holds.
        #expect(try TreeRemoval.plan(removing: "s", children: nested, explicitRoots: ["r", "s"]) == TreeRemoval())
        // Without its mark as a root (stored before roots were recorded), it is inside "r".
        #expect(throws: TreeRemoval.Refusal.insideTrees(["r"])) { try TreeRemoval.plan(removing: "s", children: nested, explicitRoots: []) }
    }

    @Test func aTreeFileNoTreeReachesIsFoundAsSuch() {
        #expect(TreeRemoval.reaches("s.txt", children: children, explicitRoots: []))
        #expect(!TreeRemoval.reaches("left-by-an-unfinished-put.txt", children: children, explicitRoots: []))
    }
}
