import FuzzSupport

// The entry points (see FuzzSupport.swift for the two ways this target is built).
#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    ParsersCheck.check(UnsafeBufferPointer(start: data, count: size))
    return 0
}

/// SwiftPM links an executable with `main` aliased to `<module>_main` (so tests can link
/// executables), which shadows libFuzzer's own `main`; without this the link fails. Should
/// SwiftPM stop doing that, libFuzzer's `main` runs `LLVMFuzzerTestOneInput` all the same.
@_cdecl("FuzzParsers_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzSupport.runDriver(argc, argv, fuzzTestOneInput)
}
#else
@main
enum FuzzParsers {
    static func main() {
        FuzzSupport.replay(target: "FuzzParsers", check: ParsersCheck.check)
    }
}
#endif
