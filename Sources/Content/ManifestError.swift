import Codecs

/// Why manifest bytes or a manifest tree were refused.
public enum ManifestError: Error, Sendable, Equatable, CustomStringConvertible {
    case truncated(offset: Int, needed: Int)
    case badMagic
    case unsupportedVersion(UInt8)
    case unknownNodeType(UInt8)
    /// A node of another type was found where this one was expected.
    case unexpectedNodeType(expected: UInt8, actual: UInt8)
    case unknownContentKind(UInt8)
    /// An entry count above the limit, refused before anything is allocated.
    case tooManyEntries(count: UInt64, limit: Int)
    /// The level of a node, or the depth of a tree, is above the limit.
    case tooDeep(level: Int, limit: Int)
    /// A child node's level is not its parent's level minus one.
    case levelMismatch(expected: Int, actual: Int)
    /// A node's claimed size differs from the sum of its entries (or from its parent's entry).
    case sizeMismatch(claimed: UInt64, actual: UInt64)
    /// An entry of a length that no chunk can have (0, or above the largest chunk).
    case invalidEntryLength(index: Int, length: UInt64)
    /// A tree node references itself or one of its ancestors.
    case cycle(ChunkID)
    case trailingBytes(count: Int)
    /// An interior node, or a non-leaf root, without entries.
    case emptyNode
    /// A directory entry name that is empty, too long, not canonical, or holds "/" or NUL.
    case invalidName(String)
    /// Directory entries out of order or duplicated (they must be sorted by name bytes).
    case unsortedNames(String)
    case invalidEntryKind(UInt8)
    case invalidUTF8(offset: Int)
    case lengthOverLimit(length: Int, limit: Int)
    case malformedVarint(offset: Int)
    /// An inline root above level 0: inline content is only a leaf.
    case inlineContentAboveLeaf(level: Int)
    /// An inline root claiming no content, or more than an inline root may carry.
    case invalidInlineLength(UInt64, limit: Int)
    /// An inline root whose declared size differs from the content bytes it holds.
    case inlineSizeMismatch(claimed: UInt64, actual: Int)

    public var description: String {
        switch self {
        case .truncated(let offset, let needed): "manifest truncated at byte \(offset) (needed \(needed) more)"
        case .badMagic: "not a p2pstore manifest (bad magic)"
        case .unsupportedVersion(let version): "manifest version \(version) is not supported"
        case .unknownNodeType(let type): "unknown manifest node type \(type)"
        case .unexpectedNodeType(let expected, let actual): "expected manifest node type \(expected), found \(actual)"
        case .unknownContentKind(let kind): "unknown content kind \(kind)"
        case .tooManyEntries(let count, let limit): "manifest claims \(count) entries, the limit is \(limit)"
        case .tooDeep(let level, let limit): "manifest tree level \(level) exceeds the limit of \(limit)"
        case .levelMismatch(let expected, let actual): "manifest node has level \(actual), expected \(expected)"
        case .sizeMismatch(let claimed, let actual): "manifest claims \(claimed) bytes but its entries add up to \(actual)"
        case .invalidEntryLength(let index, let length): "manifest entry \(index) has invalid length \(length)"
        case .cycle(let id): "manifest tree contains a cycle through node \(id)"
        case .trailingBytes(let count): "\(count) unexpected bytes after the manifest"
        case .emptyNode: "manifest node has no entries"
        case .invalidName(let name): "invalid directory entry name \"\(name)\""
        case .unsortedNames(let name): "directory entries are not strictly sorted at \"\(name)\""
        case .invalidEntryKind(let kind): "unknown directory entry kind \(kind)"
        case .invalidUTF8(let offset): "invalid UTF-8 in manifest at byte \(offset)"
        case .lengthOverLimit(let length, let limit): "manifest field of \(length) bytes exceeds the limit of \(limit)"
        case .malformedVarint(let offset): "manifest varint at byte \(offset) overflows 64 bits"
        case .inlineContentAboveLeaf(let level): "inline manifest root has level \(level), inline content must be a leaf (level 0)"
        case .invalidInlineLength(let length, let limit): "inline manifest root claims \(length) content bytes, allowed are 1 to \(limit)"
        case .inlineSizeMismatch(let claimed, let actual): "inline manifest root claims \(claimed) content bytes but holds \(actual)"
        }
    }

    init(_ error: ByteReaderError) {
        switch error {
        case .truncated(let offset, let needed): self = .truncated(offset: offset, needed: needed)
        case .lengthOverLimit(let length, let limit): self = .lengthOverLimit(length: length, limit: limit)
        case .invalidUTF8(let offset): self = .invalidUTF8(offset: offset)
        case .trailingBytes(let count): self = .trailingBytes(count: count)
        case .malformedVarint(let offset): self = .malformedVarint(offset: offset)
        }
    }
}
