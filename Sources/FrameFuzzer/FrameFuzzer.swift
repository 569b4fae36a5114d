import FuzzDriver
import NIOCore
import Transport

// libFuzzer target; built only with P2P_FUZZ=1 (see tools/fuzz and docs/protocol.md).

/// Fixed admission inputs: the fuzzer explores the proof parser, not the MAC.
private let secret = Array(UInt8(0x00)...0x1f)
private let exporter = Array(UInt8(0x20)...0x3f)
private let sender = NodeID(bytes: Array(UInt8(0x40)...0x5f))!

@main
enum FrameFuzzerMain {
    static func main() {
        runLibFuzzer(fuzz)
    }
}

/// Decodes the input as a stream of frames, under a small limit and the default one,
/// and as an admission proof. Crashes (on purpose) only when a decoded frame does not
/// re-encode to the bytes it was decoded from.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    for limit in [64, Frame.defaultMaximumLength] {
        decodeStream(ByteBuffer(bytes: bytes), limit: limit)
    }
    if size >= AdmissionProof.wireSize {
        _ = AdmissionProof.refusal(of: Array(bytes.prefix(AdmissionProof.wireSize)), secret: secret, exporter: exporter, sender: sender)
    }
    return 0
}

private func decodeStream(_ input: ByteBuffer, limit: Int) {
    var buffer = input
    while true {
        let before = buffer
        let frame: Frame?
        do {
            frame = try FrameDecoder.decodeFrame(from: &buffer, maximumLength: limit)
        } catch {
            return  // refused with a typed `TransportError`: the expected outcome for junk
        }
        guard let frame else {
            precondition(buffer.readerIndex == before.readerIndex, "decoder consumed bytes without a frame")
            return
        }
        let consumed = buffer.readerIndex - before.readerIndex
        var encoded = ByteBuffer()
        frame.write(to: &encoded)
        precondition(
            encoded.readableBytesView.elementsEqual(before.readableBytesView.prefix(consumed)),
            "frame does not re-encode to the bytes it was decoded from")
    }
}
