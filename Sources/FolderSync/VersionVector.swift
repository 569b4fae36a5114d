import Codecs

/// A version vector: for each device that changed an entry, how many changes it made.
/// Two vectors are either ordered (one saw everything the other saw) or concurrent —
/// the case of a conflict (Syncthing's model).
public struct VersionVector: Sendable, Hashable, CustomStringConvertible {
    /// The counters, sorted by device; a device absent has counter 0.
    public private(set) var counters: [Counter]

    public struct Counter: Sendable, Hashable {
        public var device: DeviceShortID
        public var value: UInt64
        public init(device: DeviceShortID, value: UInt64) {
            self.device = device
            self.value = value
        }
    }

    public enum Ordering: Sendable, Equatable {
        case equal, greater, lesser, concurrent
    }

    /// Largest counter accepted from another device: a vector at UInt64.max could never
    /// be moved past, so an entry carrying one is refused at decode.
    public static let maximumCounter: UInt64 = 1 << 62

    public init(_ counters: [Counter] = []) {
        var merged: [DeviceShortID: UInt64] = [:]
        for counter in counters where counter.value > 0 { merged[counter.device] = max(merged[counter.device] ?? 0, counter.value) }
        self.counters = merged.map { Counter(device: $0.key, value: $0.value) }.sorted { $0.device < $1.device }
    }

    public var isEmpty: Bool { counters.isEmpty }

    public subscript(device: DeviceShortID) -> UInt64 {
        counters.first { $0.device == device }?.value ?? 0
    }

    /// This vector with `device`'s counter moved past every counter seen, so the new
    /// version is newer than anything this device has seen of the entry.
    public func incremented(by device: DeviceShortID) -> VersionVector {
        var copy = counters
        // Counters from the network are bounded at decode (`maximumCounter`); saturating
        // here keeps a crafted value from trapping anyway.
        let next = min(counters.map(\.value).max() ?? 0, UInt64.max - 1) + 1
        if let index = copy.firstIndex(where: { $0.device == device }) {
            copy[index].value = next
        } else {
            copy.append(Counter(device: device, value: next))
        }
        return VersionVector(copy)
    }

    /// The smallest vector that is greater than or equal to both.
    public func merged(with other: VersionVector) -> VersionVector {
        VersionVector(counters + other.counters)
    }

    public func compare(_ other: VersionVector) -> Ordering {
        var someGreater = false
        var someLesser = false
        let devices = Set(counters.map(\.device)).union(other.counters.map(\.device))
        for device in devices {
            let mine = self[device], theirs = other[device]
            if mine > theirs { someGreater = true }
            if mine < theirs { someLesser = true }
        }
        switch (someGreater, someLesser) {
        case (false, false): return .equal
        case (true, false): return .greater
        case (false, true): return .lesser
        case (true, true): return .concurrent
        }
    }

    public var description: String {
        "{" + counters.map { "\($0.device):\($0.value)" }.joined(separator: ",") + "}"
    }
}

/// The first 8 bytes of a device's id, as a number: the key of version vectors (Syncthing
/// uses the same shortening). Collisions need 2^32 devices in one folder.
public typealias DeviceShortID = UInt64

extension DeviceShortID {
    /// The short id of a 32-byte device id.
    public init(deviceID: [UInt8]) {
        self = deviceID.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Seven base32 characters: the start of the device id's text, as conflict copies name it.
    public var label: String {
        String(Base32.encode(withUnsafeBytes(of: bigEndian) { Array($0) }).prefix(7))
    }
}
