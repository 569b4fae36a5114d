@_exported import struct Codecs.Identifier256

/// The 32-byte identity of a peer as the ring sees it: its NodeID, as membership also knows it.
public typealias RingNodeID = Identifier256
