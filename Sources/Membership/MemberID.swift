@_exported import struct Codecs.Identifier256

/// The 32-byte identity of a member: its NodeID, as the ring also knows it.
public typealias MemberID = Identifier256
