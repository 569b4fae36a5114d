import Logging
import NIOCore

/// Multiplexes requests in both directions over one admitted connection.
///
/// Outgoing: each call gets an id, a deadline (on expiry the caller gets
/// `.deadlineExceeded` and the peer a cancel frame) and at most `maximumOutstanding`
/// calls wait at once. Incoming: each request runs as a task of the `RPCService`; at most
/// `maximumServing` run at once, and beyond that the handler stops reading from the
/// socket — backpressure that TCP carries back to the sender.
final class RPCHandler: ChannelDuplexHandler {
    typealias InboundIn = Frame
    typealias OutboundIn = RPCOutbound
    typealias OutboundOut = Frame

    private struct Outstanding {
        let method: UInt16
        let promise: EventLoopPromise<ByteBuffer>
        let deadline: Scheduled<Void>
    }

    private let service: any RPCService
    private let admitted: EventLoopPromise<NodeID>
    private let logger: Logger
    private let maximumOutstanding: Int
    private let maximumServing: Int
    private var peer: NodeID?
    private var outstanding: [UInt64: Outstanding] = [:]
    private var serving: [UInt64: Task<Void, Never>] = [:]
    /// Requests the caller cancelled whose work has not finished yet: they keep counting
    /// against `maximumServing` until it does (cancellation is cooperative, and a request
    /// that ignores it still holds its payload), and their answer is dropped.
    private var cancelled: Set<UInt64> = []
    private var readHeldBack = false
    private var flushScheduled = false
    private var context: ChannelHandlerContext?

    init(service: any RPCService, admitted: EventLoopPromise<NodeID>, logger: Logger, maximumOutstanding: Int = 4096, maximumServing: Int = 256) {
        self.service = service
        self.admitted = admitted
        self.logger = logger
        self.maximumOutstanding = maximumOutstanding
        self.maximumServing = maximumServing
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        // A channel that never became active (connection refused) goes straight here.
        admitted.fail(TransportError.connectionClosed)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? PeerAdmitted {
            peer = event.peer
            admitted.succeed(event.peer)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.info("peer connection error, closing", metadata: ["peer": "\(peer?.short ?? "?")", "error": "\(error)"])
        admitted.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        admitted.fail(TransportError.connectionClosed)
        let waiting = outstanding
        outstanding = [:]
        for (_, call) in waiting {
            call.deadline.cancel()
            call.promise.fail(TransportError.connectionClosed)
        }
        for (_, task) in serving { task.cancel() }
        serving = [:]
        cancelled = []
        context.fireChannelInactive()
    }

    // MARK: - Outgoing calls

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .call(let id, let method, let payload, let timeout, let responsePromise):
            guard outstanding.count < maximumOutstanding else {
                responsePromise.fail(TransportError.tooManyRequests)
                promise?.fail(TransportError.tooManyRequests)
                return
            }
            let deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
                expire(id: id, context: context)
            }
            outstanding[id] = Outstanding(method: method, promise: responsePromise, deadline: deadline)
            let milliseconds = UInt32(clamping: max(1, timeout.nanoseconds / 1_000_000))
            let frame = Frame(kind: .request, code: method, requestID: id, deadlineMilliseconds: milliseconds, payload: payload)
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.assumeIsolated().whenFailure { [self] error in
                complete(id: id, with: .failure(error))
            }
            written.futureResult.cascade(to: promise)
            context.write(wrapOutboundOut(frame), promise: written)
        case .cancel(let id):
            guard let call = outstanding.removeValue(forKey: id) else {
                promise?.succeed(())
                return
            }
            call.deadline.cancel()
            call.promise.fail(CancellationError())
            context.write(wrapOutboundOut(Frame(kind: .cancel, requestID: id)), promise: promise)
        }
    }

    private func expire(id: UInt64, context: ChannelHandlerContext) {
        guard let call = outstanding.removeValue(forKey: id) else { return }
        call.promise.fail(TransportError.deadlineExceeded(method: call.method))
        context.writeAndFlush(wrapOutboundOut(Frame(kind: .cancel, requestID: id)), promise: nil)
    }

    private func complete(id: UInt64, with result: Result<ByteBuffer, Error>) {
        guard let call = outstanding.removeValue(forKey: id) else { return }
        call.deadline.cancel()
        call.promise.completeWith(result)
    }

    // MARK: - Incoming frames

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.kind {
        case .response:
            complete(id: frame.requestID, with: .success(frame.payload))
        case .error:
            let length = min(frame.payload.readableBytes, Self.maximumErrorMessageBytes)
            let message = frame.payload.getString(at: frame.payload.readerIndex, length: length) ?? ""
            complete(id: frame.requestID, with: .failure(TransportError.remote(status: frame.code, message: message)))
        case .cancel:
            if let task = serving[frame.requestID] {
                task.cancel()
                cancelled.insert(frame.requestID)
            }
        case .request:
            serve(frame, context: context)
        }
    }

    private func serve(_ frame: Frame, context: ChannelHandlerContext) {
        guard let peer else { return }  // unreachable: nothing is read before admission
        guard serving[frame.requestID] == nil else {
            let error = RPCError.badRequest("request id \(frame.requestID) is already in use")
            context.writeAndFlush(wrapOutboundOut(Self.errorFrame(error, id: frame.requestID)), promise: nil)
            return
        }
        let request = RPCRequest(
            method: frame.code, payload: frame.payload, peer: peer,
            deadline: .now() + .milliseconds(Int64(frame.deadlineMilliseconds)))
        let service = service
        let id = frame.requestID
        let loop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: loop)
        serving[id] = Task {
            let result: Result<ByteBuffer, Error>
            do { result = .success(try await service.handle(request)) } catch { result = .failure(error) }
            loop.execute { handler.value.finishServing(id: id, result: result) }
        }
    }

    private func finishServing(id: UInt64, result: Result<ByteBuffer, Error>) {
        guard serving.removeValue(forKey: id) != nil, let context else { return }
        defer {
            if readHeldBack, serving.count < maximumServing {
                readHeldBack = false
                context.read()
            }
        }
        // A cancelled request's caller is no longer listening.
        if cancelled.remove(id) != nil { return }
        let frame: Frame
        switch result {
        case .success(let payload):
            frame = Frame(kind: .response, requestID: id, payload: payload)
        case .failure(let error as RPCError):
            frame = Self.errorFrame(error, id: id)
        case .failure(let error):
            logger.warning("request failed", metadata: ["peer": "\(peer?.short ?? "?")", "error": "\(error)"])
            frame = Self.errorFrame(RPCError(status: 500, message: "internal error"), id: id)
        }
        context.write(wrapOutboundOut(frame), promise: nil)
        scheduleFlush(context: context)
    }

    /// Longest error message on the wire, in UTF-8 bytes (docs/protocol.md).
    static let maximumErrorMessageBytes = 1024

    private static func errorFrame(_ error: RPCError, id: UInt64) -> Frame {
        let message = truncated(error.message, toUTF8Bytes: maximumErrorMessageBytes)
        return Frame(kind: .error, code: error.status, requestID: id, payload: ByteBuffer(string: message))
    }

    /// The longest prefix of `message` that fits in `limit` UTF-8 bytes, cut between scalars
    /// (a prefix of characters could be several times longer, and the receiver reads only
    /// `limit` bytes, so a longer message would arrive with a broken last character).
    static func truncated(_ message: String, toUTF8Bytes limit: Int) -> String {
        guard message.utf8.count > limit else { return message }
        var kept = String.UnicodeScalarView()
        var size = 0
        for scalar in message.unicodeScalars {
            size += UTF8.width(scalar)
            guard size <= limit else { break }
            kept.append(scalar)
        }
        return String(kept)
    }

    // MARK: - Flush coalescing

    /// Calls and answers flushed in the same event-loop tick go out in one flush: one TLS
    /// write and one syscall for all of them rather than one per frame.
    func flush(context: ChannelHandlerContext) {
        scheduleFlush(context: context)
    }

    private func scheduleFlush(context: ChannelHandlerContext) {
        guard !flushScheduled else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute { [self] in
            flushScheduled = false
            self.context?.flush()
        }
    }

    // MARK: - Backpressure

    func read(context: ChannelHandlerContext) {
        if serving.count >= maximumServing {
            readHeldBack = true
        } else {
            context.read()
        }
    }
}
