#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Shared by the libFuzzer targets; built only with P2P_FUZZ=1 (see tools/fuzz and docs/protocol.md).

/// What libFuzzer calls with each input: its bytes and their count; returns 0.
public typealias FuzzTarget = @convention(c) (UnsafePointer<UInt8>, Int) -> CInt

/// Runs libFuzzer's driver on the command line's flags and exits with its status.
///
/// SwiftPM links an executable's `main` to the module's own entry point
/// (`<Module>_main`), so libFuzzer's `main` is never reached: each fuzzer's `@main`
/// hands control to the driver through this instead.
public func runLibFuzzer(_ target: FuzzTarget) -> Never {
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, target))
}

/// libFuzzer's C entry point for programs that have their own `main` (LLVM ≥ 11). Declared
/// here rather than through a C module: its arguments are all pointers, passed the same
/// way by the Swift and C calling conventions.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: FuzzTarget
) -> CInt
