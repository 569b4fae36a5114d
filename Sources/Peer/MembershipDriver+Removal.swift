import Membership
import Transport

/// `p2p peer remove`: an operator says a failed member is gone for good, so its share is
/// re-replicated now instead of after the removal grace. Any member may ask (the network
/// is masterless) and every member applies it to its own view only while it sees that
/// member failed — dead or suspect at no higher incarnation than the removal names. A
/// removal therefore never takes a live peer out: a member that answers refutes with a
/// higher incarnation and is placed again, as after any failure. The worst an admitted
/// liar can do with it is start the re-replication of a failing peer early.
extension MembershipDriver {
    /// Why a removal asked of this peer's operator was refused.
    enum RemovalRefusal: Error, Equatable {
        case unknown
        case isSelf
        case alive(incarnation: UInt64)
    }

    /// Removes a member this peer sees failed; returns it (to tell the others). Refused
    /// for this peer itself, a member it does not know, and one it sees alive.
    func removeFailedMember(_ id: MemberID) throws(RemovalRefusal) -> Member {
        guard id != localMember.id else { throw .isSelf }
        guard let member = member(id), member.state != .left else { throw .unknown }
        guard member.state != .alive else { throw .alive(incarnation: member.incarnation) }
        applyRemoval(of: id, incarnation: member.incarnation, from: "the operator")
        return member
    }

    /// Applies a removal another member sent (`PeerMethod.removeMember`). One for a member
    /// this peer does not know, or for itself, is ignored; one for a member it still sees
    /// alive is kept, and takes effect if that member fails at that incarnation.
    func receiveRemoval(_ request: RPCRequest) throws {
        let removal: ControlMessages.RemoveMember
        do {
            removal = try ControlMessages.RemoveMember(payload: request.payload)
        } catch {
            throw RPCError.badRequest("\(error)")
        }
        guard removal.member != localMember.id, let member = member(removal.member), member.state != .left else { return }
        applyRemoval(of: removal.member, incarnation: removal.incarnation, from: request.peer.short)
    }

    /// The members still expected to answer, but the removed one: whom to tell.
    func membersToTell(about removed: MemberID) -> [Member] {
        members.filter { $0.isActive && $0.id != removed && $0.id != localMember.id }
    }

    /// Whether an operator removed `member` at its current incarnation.
    func isRemoved(_ member: Member) -> Bool {
        Self.isRemoved(member, removals)
    }

    /// Whether `removals` take `member` out: it failed (dead or suspect) at no higher
    /// incarnation than the removal names.
    static func isRemoved(_ member: Member, _ removals: [MemberID: UInt64]) -> Bool {
        guard member.state == .dead || member.state == .suspect, let incarnation = removals[member.id] else { return false }
        return member.incarnation <= incarnation
    }

    private func applyRemoval(of id: MemberID, incarnation: UInt64, from source: String) {
        let known = removals[id] ?? 0
        guard removals[id] == nil || incarnation > known else { return }
        removals[id] = incarnation
        logger.notice("member removed", metadata: ["peer": "\(NodeID(id).short)", "incarnation": "\(incarnation)", "by": "\(source)"])
        rebuildPlacement()
    }
}

extension MembershipDriver {
    /// The members the network revoked: out of the placement at once, for good.
    func setRevoked(_ members: Set<MemberID>) {
        guard members != revoked else { return }
        revoked = members
        rebuildPlacement()
    }
}
