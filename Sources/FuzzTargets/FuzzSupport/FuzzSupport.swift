import Foundation

// What the three fuzz targets share. Each target is one `main.swift` calling
// ``FuzzSupport/main(target:check:)``, and is built two ways (see scripts/fuzz.sh):
// - with `-DFUZZING -sanitize=fuzzer` (and lld: gold fails on libFuzzer's archive): a libFuzzer
//   binary taking libFuzzer's arguments (`FuzzSplit CORPUS_DIR -max_total_time=60`, or crash
//   files to replay);
// - plainly, by `swift build`: a regression runner, ``FuzzSupport/replay(target:check:)``,
//   that checks the files (or every file in the folders) named on the command line, so a
//   crash input replays without the fuzzer.
// SwiftPM links an executable with `main` aliased to `<Module>_main` (so tests can link
// executables), which shadows libFuzzer's own `main`: so the target's top-level code starts
// libFuzzer's driver itself, with ``LLVMFuzzerTestOneInput`` defined here calling the check.

/// One fuzz check: traps (a failed precondition) when the property does not hold.
public typealias FuzzCheck = (UnsafeBufferPointer<UInt8>) -> Void

public enum FuzzSupport {
    /// A target's whole program: under libFuzzer, fuzz `check`; otherwise replay the inputs
    /// named on the command line through it.
    public static func main(target: String, check: @escaping FuzzCheck) -> Never {
        #if FUZZING
        currentCheck = check
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput))
        #else
        replay(target: target, check: check)
        #endif
    }

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

/// The check libFuzzer runs: set once by ``FuzzSupport/main(target:check:)`` before the driver
/// starts, then only read (libFuzzer runs one input at a time).
nonisolated(unsafe) private var currentCheck: FuzzCheck = { _ in }

/// libFuzzer's per-input entry point, for every target: runs the target's check.
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    currentCheck(UnsafeBufferPointer(start: data, count: size))
    return 0
}
#endif
