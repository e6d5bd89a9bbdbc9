import Foundation

// What the three fuzz targets share. Each target is built two ways (see scripts/fuzz.sh):
// - with `-DFUZZING -sanitize=fuzzer` (and lld: gold fails on libFuzzer's archive): a libFuzzer
//   binary taking libFuzzer's arguments (`FuzzSplit CORPUS_DIR -max_total_time=60`, or crash
//   files to replay), whose entry point calls ``FuzzSupport/runDriver(_:_:_:)``;
// - plainly, by `swift build`: a regression runner, ``FuzzSupport/replay(target:check:)``,
//   that checks the files (or every file in the folders) named on the command line, so a
//   crash input replays without the fuzzer.
// Only the two `@_cdecl` entry points must stay in each target's own module: their C names
// differ per target (`LLVMFuzzerTestOneInput` is per binary, `<Module>_main` per module).

/// One fuzz check: traps (a failed precondition) when the property does not hold.
public typealias FuzzCheck = (UnsafeBufferPointer<UInt8>) -> Void

public enum FuzzSupport {
    #if FUZZING
    /// Hands control to libFuzzer, which calls `testOneInput` for every input it tries.
    public static func runDriver(
        _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
        _ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt {
        var argc = argc
        var argv = argv
        return LLVMFuzzerRunDriver(&argc, &argv, testOneInput)
    }
    #endif

    /// The regression runner: checks every input named on the command line (a file, or the
    /// regular files directly inside a folder); exits 2 without arguments, 1 on an unreadable
    /// file. A failed check traps, naming the file printed just before.
    public static func replay(target: String, check: FuzzCheck) -> Never {
        let arguments = CommandLine.arguments.dropFirst()
        guard !arguments.isEmpty else {
            print("usage: \(target) FILE|DIR...   (replays inputs through the fuzz check; traps on a failure)")
            exit(2)
        }
        var checked = 0
        for path in arguments {
            for file in inputFiles(path) {
                guard let data = FileManager.default.contents(atPath: file) else {
                    print("\(target): cannot read \(file)")
                    exit(1)
                }
                print("\(target): \(file)")
                Array(data).withUnsafeBufferPointer { check($0) }
                checked += 1
            }
        }
        print("\(target): \(checked) inputs ok")
        exit(0)
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

#if FUZZING
/// libFuzzer's documented C entry point (FuzzerInterface.h), declared here because Swift
/// cannot import it without a C module. Its arguments are pointers and ints, which the Swift
/// and C calling conventions pass alike.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt
#endif
