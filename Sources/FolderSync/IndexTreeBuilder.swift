import Codecs
import Content
import OpenSSLKit

/// Cuts a sorted index into pages (`IndexPage`) at content-defined points and seals them
/// bottom-up into a tree whose root an announcement names. Pure: no disk, no network.
///
/// Where a page ends depends only on the paths, never on what the entries say: after an
/// entry whose path hashes (keyed with the folder's secret) to a value with its low 5 bits
/// clear, a leaf ends (1 entry in 32, about 6 KiB of file entries); when 4 more bits are
/// clear, the page above ends too (1 page in 16), and so on up. So an edit of one file
/// changes exactly one leaf and the pages above it, and an added or removed path changes
/// the one leaf around it; every other page is the same chunk as before and costs no upload.
/// Pages are also cut at `maxLeafSize` bytes and `maxChildren` children, which only moves
/// cuts up to the next content-defined one.
struct IndexTreeBuilder {
    static let leafBoundaryBits = 5
    static let levelBoundaryBits = 4
    /// The highest level a path can end by itself; above it, pages end at `maxChildren`.
    static let maxNaturalLevel = 6
    static let maxLeafSize = 24 * 1024
    static let maxChildren = 64

    let seed: UInt64
    let cipher: ConvergentCipher

    /// A sealed tree: every page (leaves first), and the root's reference.
    struct Tree: Sendable {
        var root: ChunkReference
        var pages: [SealedChunk]
        var entryCount: Int
        var height: Int
    }

    /// The seed of the boundary hash for a folder: keyed, so a storing peer cannot tell
    /// from the page sizes where guessed paths would cut.
    static func seed(convergenceSecret: [UInt8]) -> UInt64 {
        HMACSHA256.authenticate(key: convergenceSecret, message: Array("p2p-index-pages-v1".utf8)).prefix(8)
            .reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// `entries` must be sorted by the paths' UTF-8 bytes (as `FolderIndex` keeps them).
    func build(_ entries: [IndexEntry]) -> Tree {
        var pages: [SealedChunk] = []
        // The pages of the level being built: each as its parent will list it, and the
        // highest level its last path ends.
        var level: [(child: IndexPage.Child, boundary: Int)] = []
        var body = ByteWriter(capacity: Self.maxLeafSize + 4096)
        var count = 0
        func closeLeaf(boundary: Int) {
            let sealed = cipher.seal(IndexPage.leaf(count: count, body: body.bytes))
            pages.append(sealed)
            level.append((IndexPage.Child(reference: sealed.reference, entryCount: count), boundary))
            body = ByteWriter(capacity: Self.maxLeafSize + 4096)
            count = 0
        }
        for entry in entries {
            IndexEntryCodec.write(entry, to: &body)
            count += 1
            let boundary = Self.boundaryLevel(entry.path, seed: seed)
            if boundary >= 0 || body.bytes.count >= Self.maxLeafSize { closeLeaf(boundary: max(boundary, 0)) }
        }
        if count > 0 || level.isEmpty { closeLeaf(boundary: 0) }

        var height = 0
        while level.count > 1 {
            height += 1
            var above: [(child: IndexPage.Child, boundary: Int)] = []
            var group: [IndexPage.Child] = []
            func closeGroup(boundary: Int) {
                let sealed = cipher.seal(IndexPage.interior(level: height, children: group))
                pages.append(sealed)
                above.append((IndexPage.Child(reference: sealed.reference, entryCount: group.reduce(0) { $0 + $1.entryCount }), boundary))
                group = []
            }
            for (child, boundary) in level {
                group.append(child)
                if boundary >= height {
                    closeGroup(boundary: boundary)
                } else if group.count == Self.maxChildren {
                    closeGroup(boundary: height)
                }
            }
            if !group.isEmpty { closeGroup(boundary: height) }
            level = above
        }
        return Tree(root: level[0].child.reference, pages: pages, entryCount: entries.count, height: height)
    }

    /// The highest level of page that ends after `path`, or -1 when no page ends there.
    static func boundaryLevel(_ path: String, seed: UInt64) -> Int {
        // FNV-1a over the bytes, then MurmurHash3's finaliser so that every bit mixes.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ seed
        for byte in path.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        hash &*= 0xc4ce_b9fe_1a85_ec53
        hash ^= hash >> 33
        guard hash & (1 << leafBoundaryBits - 1) == 0 else { return -1 }
        hash >>= UInt64(leafBoundaryBits)
        var level = 0
        while level < maxNaturalLevel && hash & (1 << levelBoundaryBits - 1) == 0 {
            level += 1
            hash >>= UInt64(levelBoundaryBits)
        }
        return level
    }
}
