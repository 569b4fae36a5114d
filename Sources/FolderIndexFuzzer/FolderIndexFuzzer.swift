#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FuzzDriver
import TestSupport

// libFuzzer target; built only with P2P_FUZZ=1 (see tools/fuzz and docs/protocol.md).

@main
enum FolderIndexFuzzerMain {
    static func main() {
        runLibFuzzer(fuzz)
    }
}

/// Decodes the input as a folder index and as an announcement plaintext and runs the
/// sync logic on what decodes (`FolderDecoderProbe`). Crashes on a trap in that code, and
/// on purpose when a decoder breaks a promise (re-encoding, typed refusals, safe paths).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let outcome = FolderDecoderProbe.run(Array(UnsafeBufferPointer(start: data, count: size)))
    if let problem = outcome.problems.first {
        fatalError("folder decoder check failed: \(problem)")
    }
    return 0
}
