import Logging
import NIOCore
import OpenSSLKit

/// Runs TLS 1.3 (system OpenSSL, memory BIOs) under the rest of the pipeline: ciphertext
/// below, plaintext above. Fires `TLSHandshakeCompleted` with the peer's NodeID once
/// the handshake is done; refuses anything but TLS 1.3 and peers without a certificate.
///
/// Memory stays bounded: received ciphertext is decrypted and passed up before the next
/// read; plaintext written down is held (by reference, not copied) only until the next
/// flush, which encrypts all of it in one go straight from the written buffers and hands
/// the channel one ciphertext buffer, whose writability then reflects it. Small writes
/// (frame headers, small frames) are packed into shared TLS records.
public final class TLSHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// Label of the exporter whose output binds the admission proof to this session.
    public static let exporterLabel = "EXPORTER-p2pstore-admit-v1"
    public static let exporterLength = 32
    /// Largest plaintext passed up in one `channelRead`.
    static let maximumReadChunk = 64 * 1024
    /// How long a closing connection waits for its last bytes to leave.
    static let closeGracePeriod = TimeAmount.seconds(5)

    private enum State { case idle, handshaking, active, closed }

    private let connection: TLSConnection
    private let role: TLSConnection.Role
    private let handshakeTimeout: TimeAmount
    private let logger: Logger
    private var state = State.idle
    private var handshakeDeadline: Scheduled<Void>?
    /// Plaintext written and not yet encrypted: before the handshake completes, or since the last flush.
    private var pendingWrites: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    /// Writes smaller than this are copied together into one TLS record.
    static let coalescingLimit = 4 * 1024

    public init(context: TLSContext, role: TLSConnection.Role, handshakeTimeout: TimeAmount = .seconds(10), logger: Logger) throws {
        self.connection = try TLSConnection(context: context, role: role)
        self.role = role
        self.handshakeTimeout = handshakeTimeout
        self.logger = logger
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startHandshake(context: context) }
    }

    public func channelActive(context: ChannelHandlerContext) {
        startHandshake(context: context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        handshakeDeadline?.cancel()
        state = .closed
        failBufferedWrites(TransportError.connectionClosed)
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let ciphertext = unwrapInboundIn(data)
        ciphertext.withUnsafeReadableBytes { connection.receiveCiphertext($0) }
        switch state {
        case .idle, .handshaking: advanceHandshake(context: context)
        case .active: deliverPlaintext(context: context)
        case .closed: break
        }
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch state {
        case .idle, .handshaking, .active:
            pendingWrites.append((unwrapOutboundIn(data), promise))
        case .closed:
            promise?.fail(TransportError.connectionClosed)
        }
    }

    public func flush(context: ChannelHandlerContext) {
        guard state == .active else {
            // Before the handshake the writes wait; the handshake's own flights flush themselves.
            if state == .closed { context.flush() }
            return
        }
        encryptPendingWrites(context: context)
        context.flush()
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard state == .active, mode == .all else {
            if mode == .all { state = .closed }
            context.close(mode: mode, promise: promise)
            return
        }
        // Say goodbye properly so the peer can tell a clean end from a truncation, and
        // close the socket only once everything written before, close_notify last, is
        // out — or after a grace period if the peer stopped reading.
        encryptPendingWrites(context: context)
        guard state == .active else {
            context.close(mode: mode, promise: promise)
            return
        }
        state = .closed
        connection.shutdown()
        let sent = context.eventLoop.makePromise(of: Void.self)
        sendCiphertext(context: context, promise: sent)
        context.flush()
        let grace = context.eventLoop.assumeIsolated().scheduleTask(in: Self.closeGracePeriod) {
            context.close(mode: mode, promise: nil)
        }
        sent.futureResult.assumeIsolated().whenComplete { _ in
            grace.cancel()
            context.close(mode: mode, promise: promise)
        }
    }

    // MARK: - Handshake

    private func startHandshake(context: ChannelHandlerContext) {
        guard state == .idle else { return }
        state = .handshaking
        let timeout = handshakeTimeout
        handshakeDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            if state == .handshaking {
                TransportMetrics.handshake(role: role, succeeded: false)
                fail(context: context, TransportError.handshakeTimeout)
            }
        }
        if role == .client { advanceHandshake(context: context) }
    }

    private func advanceHandshake(context: ChannelHandlerContext) {
        let status: TLSConnection.HandshakeStatus
        do {
            status = try connection.handshake()
        } catch {
            // Send the alert OpenSSL queued before closing, so the peer learns why.
            sendCiphertext(context: context, promise: nil)
            context.flush()
            TransportMetrics.handshake(role: role, succeeded: false)
            fail(context: context, TransportError.tls(error))
            return
        }
        sendCiphertext(context: context, promise: nil)
        context.flush()
        guard status == .complete else { return }
        handshakeDeadline?.cancel()
        do {
            let completed = try handshakeResult()
            state = .active
            TransportMetrics.handshake(role: role, succeeded: true)
            logger.debug("TLS handshake complete", metadata: ["peer": "\(completed.peer.short)", "cipher": "\(completed.cipher)"])
            context.fireUserInboundEventTriggered(completed)
        } catch {
            TransportMetrics.handshake(role: role, succeeded: false)
            fail(context: context, error)
            return
        }
        if !pendingWrites.isEmpty { flush(context: context) }
        // Application data may have arrived together with the peer's last handshake flight.
        deliverPlaintext(context: context)
    }

    private func handshakeResult() throws(TransportError) -> TLSHandshakeCompleted {
        guard connection.isTLS13 else { throw .notTLS13(negotiated: connection.cipherName) }
        guard let certificate = connection.peerCertificate() else { throw .noPeerCertificate }
        do {
            let peer = try NodeID(certificate: certificate)
            let exporter = try connection.exportKeyingMaterial(label: Self.exporterLabel, count: Self.exporterLength)
            return TLSHandshakeCompleted(peer: peer, exporter: exporter, cipher: connection.cipherName)
        } catch {
            throw .tls(error)
        }
    }

    // MARK: - Data

    /// Encrypts everything written since the last flush, reading each buffer in place,
    /// and writes the ciphertext down as one buffer carrying all their promises.
    private func encryptPendingWrites(context: ChannelHandlerContext) {
        guard !pendingWrites.isEmpty else { return }
        let writes = pendingWrites
        pendingWrites = []
        var small: ByteBuffer?
        do throws(OpenSSLError) {
            for (buffer, _) in writes {
                if buffer.readableBytes < Self.coalescingLimit {
                    var buffer = buffer
                    if small == nil { small = context.channel.allocator.buffer(capacity: Self.coalescingLimit * 4) }
                    small!.writeBuffer(&buffer)
                    continue
                }
                if let packed = small {
                    try encrypt(packed)
                    small = nil
                }
                try encrypt(buffer)
            }
            if let packed = small { try encrypt(packed) }
        } catch {
            for (_, promise) in writes { promise?.fail(error) }
            fail(context: context, TransportError.tls(error))
            return
        }
        let promises = writes.compactMap(\.1)
        var combined: EventLoopPromise<Void>?
        if promises.count == 1 {
            combined = promises[0]
        } else if !promises.isEmpty {
            let promise = context.eventLoop.makePromise(of: Void.self)
            promise.futureResult.whenComplete { result in
                for each in promises { each.completeWith(result) }
            }
            combined = promise
        }
        sendCiphertext(context: context, promise: combined)
    }

    private func encrypt(_ plaintext: ByteBuffer) throws(OpenSSLError) {
        try plaintext.withUnsafeReadableBytes { buffer throws(OpenSSLError) in try connection.writePlaintext(buffer) }
    }

    private func deliverPlaintext(context: ChannelHandlerContext) {
        while state == .active {
            var buffer = context.channel.allocator.buffer(capacity: Self.maximumReadChunk)
            var result = TLSConnection.ReadResult.needMoreCiphertext
            do {
                while buffer.writableBytes > 0 {
                    result = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { space in
                        let read = try connection.readPlaintext(into: space)
                        if case .bytes(let count) = read { return count }
                        throw ReadStop(result: read)
                    }.asReadResult
                }
            } catch let stop as ReadStop {
                result = stop.result
            } catch {
                fail(context: context, TransportError.tls(error as! OpenSSLError))
                return
            }
            if buffer.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(buffer)) }
            switch result {
            case .bytes: continue  // buffer was full: there may be more
            case .needMoreCiphertext:
                // Reading may have produced handshake messages to send (key updates).
                if connection.pendingCiphertext > 0 {
                    sendCiphertext(context: context, promise: nil)
                    context.flush()
                }
                return
            case .closed:
                logger.debug("peer sent close_notify")
                context.close(promise: nil)
                return
            }
        }
    }

    private func sendCiphertext(context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        let pending = connection.pendingCiphertext
        guard pending > 0 else {
            // Nothing new to send, but the promise must still complete in write order.
            if let promise { context.write(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)), promise: promise) }
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: pending)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: pending) { connection.readCiphertext(into: $0) }
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    private func fail(context: ChannelHandlerContext, _ error: TransportError) {
        guard state != .closed else { return }
        state = .closed
        handshakeDeadline?.cancel()
        failBufferedWrites(error)
        logger.info("closing peer connection", metadata: ["reason": "\(error)"])
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }

    private func failBufferedWrites(_ error: Error) {
        let pending = pendingWrites
        pendingWrites = []
        for (_, promise) in pending { promise?.fail(error) }
    }
}

/// Ends the inner read loop of `deliverPlaintext` with a non-data result.
private struct ReadStop: Error {
    let result: TLSConnection.ReadResult
}

private extension Int {
    var asReadResult: TLSConnection.ReadResult { .bytes(self) }
}
