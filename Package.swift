// swift-tools-version:6.0
//
// Layout (see README.md for the why), lowest layer first; each target is described again
// where it is declared below:
//   CPCRE2       system library: PCRE2's 8-bit API, found through pkg-config.
//   BPERegex     the only Swift module that imports CPCRE2; a byte-offset pre-tokenizer.
//   BPEVocab     the official .tiktoken files of vocab/, as a resource bundle.
//   SafeFiles    atomic file writes and the one write-all loop, shared by every writer.
//   CByteMasks   C header: the ASCII classes of 64 bytes as bit masks, for the lexers.
//   BPE          vocabularies, byte-pair merging, tiktoken-exact Encoding, training; no C
//                types in its API.
//   TokenFeed    llm.c and nanoGPT shards: the exporter behind `bpe export`, the readers.
//   TinyGPT      the small transformer: plain Swift math, no tokenizer.
//   CLISupport   what both command lines share: one-line errors, the stdout writer.
//   bpe          the tokenizer's command line.
//   tinygpt      the model's command line.
//   bpe-bench    not a product: the encoder alone, for Benchmarks/encode_bench.py.
//   FuzzSupport, FuzzEncode, FuzzParsers, FuzzSplit   libFuzzer targets and their checks.
// Tests: one test target per module (BPERegexTests, BPETests, TokenFeedTests, TinyGPTTests,
// and bpeTests for both command lines), with TestSupport shared by them.
import PackageDescription

// `bpe` links Swift's standard library and Foundation statically on Linux: loading and
// binding a dozen shared Swift libraries was 4-6 ms of every start, a quarter of
// `echo hi | bpe count` (a hello-world with Foundation starts in 2.7 ms static, 9 ms
// dynamic). The flag goes to the compiler as well as the linker, so that the module imports
// the static Foundation, whose link list names the C libraries under it (CoreFoundation,
// ICU); `bpe` imports Foundation itself for that reason. Only this executable target carries
// the flag, so a package that depends on the libraries is not affected: SwiftPM refuses
// unsafe flags only in the targets of a product a dependent uses (scripts/check_dependents.sh
// checks it). Release builds only: a debug `swift test` links the command's module into the
// test bundle, and the test libraries (Testing, XCTest) have no static form. Apple platforms
// ship the library in the OS. `-no-pie`: a position-independent executable of this size has
// 84,000 relative relocations for the loader to apply at every start, dirtying 1 MB of data
// pages (about 200 page faults); a fixed-address one has 955 (`bpe --version` 0.89x the time,
// `echo hi | bpe count` 0.95x, 41 paired runs on one core).
let staticStandardLibrary = (
    swift: [SwiftSetting.unsafeFlags(["-static-stdlib"], .when(platforms: [.linux], configuration: .release))],
    linker: [LinkerSetting.unsafeFlags(["-static-stdlib", "-Xlinker", "-no-pie"], .when(platforms: [.linux], configuration: .release))]
)

let package = Package(
    name: "swift-bpe",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "BPE", targets: ["BPE"]),
        .library(name: "BPERegex", targets: ["BPERegex"]),
        .executable(name: "bpe", targets: ["bpe"]),
        .library(name: "TokenFeed", targets: ["TokenFeed"]),
        .executable(name: "tinygpt", targets: ["tinygpt"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", "1.8.0"..<"1.9.0"),
        // SHA-256 for the hash check of vocabulary files: Foundation on Linux has none.
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"]), .brew(["pcre2"])]
        ),
        .target(
            name: "BPERegex",
            dependencies: ["CPCRE2"]
        ),
        // The official vocabulary files live in the top-level vocab/ folder. Making that folder a
        // (tiny) target lets SwiftPM copy them into a resource bundle next to every binary, so a
        // built `bpe` finds them from anywhere, and keeps working when copied with that bundle.
        .target(
            name: "BPEVocab",
            path: "vocab",
            resources: [
                .copy("r50k_base.tiktoken"),
                .copy("p50k_base.tiktoken"),
                .copy("cl100k_base.tiktoken"),
                .copy("o200k_base.tiktoken"),
            ]
        ),
        // No dependencies: BPE, TokenFeed and TinyGPT all write through it.
        .target(name: "SafeFiles"),
        // The ASCII classes of 64 bytes as bit masks (SSE2 on x86-64, a plain loop elsewhere),
        // for the lexers' block scan: one header of static inline functions.
        .target(name: "CByteMasks"),
        .target(
            name: "BPE",
            dependencies: [
                "BPERegex",
                "BPEVocab",
                "SafeFiles",
                "CByteMasks",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // What both command-line tools share: one-line `error:` reporting and the one
        // standard-output writer (a failed write is an error; a closed pipe ends quietly).
        .target(name: "CLISupport", dependencies: ["SafeFiles", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "bpe",
            dependencies: [
                "BPE",
                "TokenFeed",
                "SafeFiles",
                "CLISupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: staticStandardLibrary.swift,
            linkerSettings: staticStandardLibrary.linker
        ),
        // Shard formats (llm.c, nanoGPT): written by `bpe export`, read by `tinygpt`.
        .target(name: "TokenFeed", dependencies: ["BPE", "BPERegex", "SafeFiles"]),
        // The demo model: plain Swift math, no tokenizer, no C.
        .target(name: "TinyGPT", dependencies: ["SafeFiles"]),
        .executableTarget(
            name: "tinygpt",
            dependencies: [
                "TinyGPT", "TokenFeed", "BPE", "CLISupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Not a product: built by Benchmarks/encode_bench.py to time the encoder alone.
        .executableTarget(name: "bpe-bench", dependencies: ["BPE"], path: "Benchmarks/bpe-bench"),
        // libFuzzer targets, one folder each under Sources/FuzzTargets/. A plain `swift build`
        // makes regression runners (check the files given as arguments); scripts/fuzz.sh
        // builds them with -sanitize=fuzzer -DFUZZING into .build-fuzz and fuzzes them.
        // FuzzSupport holds the checks (shared with FuzzRegressionTests), the libFuzzer driver
        // and the replay runner; each target is only its two entry points.
        .target(name: "FuzzSupport", dependencies: ["BPE", "BPERegex", "TokenFeed"],
                path: "Sources/FuzzTargets/FuzzSupport"),
        .executableTarget(name: "FuzzEncode", dependencies: ["FuzzSupport"], path: "Sources/FuzzTargets/FuzzEncode"),
        .executableTarget(name: "FuzzParsers", dependencies: ["FuzzSupport"], path: "Sources/FuzzTargets/FuzzParsers"),
        .executableTarget(name: "FuzzSplit", dependencies: ["FuzzSupport"], path: "Sources/FuzzTargets/FuzzSplit"),
        // Helpers every test target shares (deterministic random numbers).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "BPERegexTests", dependencies: ["BPERegex", "TestSupport"]),
        .testTarget(name: "BPETests", dependencies: ["BPE", "SafeFiles", "CByteMasks", "FuzzSupport", "TestSupport"], resources: []),
        // tinygpt: the kill, output and help tests run it too. HelpSnapshots/ holds the
        // expected --help texts (text files, read by the test from the source tree).
        .testTarget(name: "bpeTests", dependencies: ["bpe", "tinygpt", "TestSupport", "CLISupport"], exclude: ["HelpSnapshots"]),
        .testTarget(name: "TokenFeedTests", dependencies: ["TokenFeed", "BPE", "TestSupport"]),
        .testTarget(name: "TinyGPTTests", dependencies: ["TinyGPT", "TokenFeed", "SafeFiles"]),
    ]
)
