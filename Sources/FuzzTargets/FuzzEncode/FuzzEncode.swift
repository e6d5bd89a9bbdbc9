import Foundation

// Built two ways (see scripts/fuzz.sh):
// - with `-DFUZZING -sanitize=fuzzer` (and lld: gold fails on libFuzzer's archive): a libFuzzer
//   binary taking libFuzzer's arguments (`FuzzEncode CORPUS_DIR -max_total_time=60`, or crash
//   files to replay);
// - plainly, by `swift build`: a regression runner that checks the files (or every file in
//   the folders) named on the command line, so a crash input replays without the fuzzer.
#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    EncodeCheck.check(UnsafeBufferPointer(start: data, count: size))
    return 0
}

/// libFuzzer's documented C entry point (FuzzerInterface.h), declared here because Swift
/// cannot import it without a C module. Its arguments are pointers and ints, which the Swift
/// and C calling conventions pass alike.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM links an executable with `main` aliased to `<module>_main` (so tests can link
/// executables), which shadows libFuzzer's own `main`; without this the link fails. Should
/// SwiftPM stop doing that, libFuzzer's `main` runs `LLVMFuzzerTestOneInput` all the same.
@_cdecl("FuzzEncode_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, fuzzTestOneInput)
}
#else
@main
enum FuzzEncode {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard !arguments.isEmpty else {
            print("usage: FuzzEncode FILE|DIR...   (replays inputs through the fuzz check; traps on a failure)")
            exit(2)
        }
        var checked = 0
        for path in arguments {
            for file in inputFiles(path) {
                guard let data = FileManager.default.contents(atPath: file) else {
                    print("FuzzEncode: cannot read \(file)")
                    exit(1)
                }
                print("FuzzEncode: \(file)")
                Array(data).withUnsafeBufferPointer { EncodeCheck.check($0) }
                checked += 1
            }
        }
        print("FuzzEncode: \(checked) inputs ok")
    }

    /// `path` itself, or the regular files directly inside it (sorted, dotfiles skipped).
    static func inputFiles(_ path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return [path]
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { path + "/" + $0 }.filter {
            var dir: ObjCBool = false
            return FileManager.default.fileExists(atPath: $0, isDirectory: &dir) && !dir.boolValue
        }
    }
}
#endif
