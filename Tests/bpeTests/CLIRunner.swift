// Runs the real `bpe` binary as a subprocess for the integration tests in this target.
//
// The test target depends on the `bpe` executable target, so SwiftPM builds the `bpe` binary
// into the same folder as the test executable (.build/<triple>/debug/). `CLI.binary` finds it
// from the running test executable; set BPE_TEST_BINARY to test some other build.
//
// Deadlocks: by default the child's stdin, stdout and stderr are temporary *files*, so no pipe
// buffer can fill up however large the output. `IOMode.pipes` uses real pipes (what scripts
// do), feeding stdin and draining stdout/stderr on separate threads.
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a finished `bpe` process did.
struct CLIResult: Sendable, CustomStringConvertible {
    var arguments: [String]
    /// Exit status, or the signal number when `signalled`.
    var status: Int32
    /// The process was ended by a signal (a crash, or our timeout).
    var signalled: Bool
    var timedOut: Bool
    var stdoutBytes: [UInt8]
    var stderrBytes: [UInt8]

    var stdout: String { String(decoding: stdoutBytes, as: UTF8.self) }
    var stderr: String { String(decoding: stderrBytes, as: UTF8.self) }

    /// Exited normally with status 0.
    var succeeded: Bool { !signalled && status == 0 }
    /// Exited normally (not by a signal) with exactly `code`.
    func exited(_ code: Int32) -> Bool { !signalled && status == code }

    /// Token ids printed by `encode` (space-separated form).
    var ids: [Int] { stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int($0) } }

    /// stderr is exactly one newline-terminated line starting with `error:`.
    var isOneErrorLine: Bool {
        let s = stderr
        return s.hasPrefix("error:") && s.hasSuffix("\n") && s.filter { $0 == "\n" }.count == 1
    }

    /// Markers of a trap or crash report that must never reach a user.
    var hasCrashOutput: Bool {
        let s = stderr + stdout
        return ["Stack dump", "Fatal error", "Backtrace", "Illegal instruction", "Segmentation fault",
                "Current stack trace", "💣"].contains { s.contains($0) }
    }

    var description: String {
        func clip(_ s: String) -> String { s.count > 600 ? String(s.prefix(600)) + "…(\(s.utf8.count) bytes)" : s }
        let how = timedOut ? "TIMED OUT (killed)" : signalled ? "killed by signal \(status)" : "exit \(status)"
        return "bpe \(arguments.joined(separator: " ")) → \(how)\n  stdout: \(clip(stdout).debugDescription)\n  stderr: \(clip(stderr).debugDescription)"
    }
}

struct CLIRunnerError: Error, CustomStringConvertible {
    let description: String
}

enum IOMode: Sendable {
    /// stdin/stdout/stderr are temporary files (no pipe can fill up).
    case files
    /// Real pipes: stdin written and stdout/stderr read concurrently on their own threads.
    case pipes
    /// As `files`, but stdout is /dev/full: every write fails with ENOSPC.
    case fullDisk
    /// As `files`, but stdout is a pipe whose reader is gone before the child starts: every
    /// write fails with EPIPE (or raises SIGPIPE), deterministically.
    case closedPipe
}

enum CLI {
    /// The `bpe` binary built next to the running test executable.
    static func binary() throws -> URL {
        switch located {
        case .success(let url): return url
        case .failure(let error): throw error
        }
    }

    /// The resource bundle SwiftPM places next to `bpe` with the official vocabulary files.
    static func vocabBundle() throws -> URL {
        let dir = try binary().deletingLastPathComponent()
        for name in ["swift-bpe_BPEVocab.resources", "swift-bpe_BPEVocab.bundle"] {
            let url = dir.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        throw CLIRunnerError(description: "no swift-bpe_BPEVocab.resources next to \(dir.path); run `swift build --build-tests` first")
    }

    /// The package root (this file is Tests/bpeTests/CLIRunner.swift).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The repository's vocab/ folder with the official .tiktoken files.
    static var repoVocabDir: URL { packageRoot.appendingPathComponent("vocab") }

    private static let located: Result<URL, CLIRunnerError> = {
        let fm = FileManager.default
        if let override = ProcessInfo.processInfo.environment["BPE_TEST_BINARY"], !override.isEmpty {
            return fm.isExecutableFile(atPath: override) ? .success(URL(fileURLWithPath: override))
                : .failure(CLIRunnerError(description: "BPE_TEST_BINARY=\(override) is not an executable file"))
        }
        var starts: [String] = []
        #if os(Linux)
        if let exe = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") { starts.append(exe) }
        #endif
        if let exe = Bundle.main.executablePath { starts.append(exe) }
        if let arg0 = CommandLine.arguments.first, !arg0.isEmpty {
            starts.append(arg0.hasPrefix("/") ? arg0 : fm.currentDirectoryPath + "/" + arg0)
        }
        // macOS: the tests run inside a helper (xctest, swiftpm-testing-helper) that loads
        // …/debug/X.xctest; the bundle's own path then leads to the build folder.
        starts += Bundle.allBundles.map(\.bundlePath).filter { $0.hasSuffix(".xctest") }
        starts += CommandLine.arguments.dropFirst().filter { $0.hasSuffix(".xctest") }
        var tried: [String] = []
        for start in starts {
            // The test executable sits in the build folder itself on Linux; on macOS it is
            // inside an .xctest bundle (…/debug/X.xctest/Contents/MacOS/X), so walk up a few levels.
            var dir = URL(fileURLWithPath: start).resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<5 {
                let candidate = dir.appendingPathComponent("bpe")
                tried.append(candidate.path)
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: candidate.path, isDirectory: &isDir), !isDir.boolValue,
                   fm.isExecutableFile(atPath: candidate.path) {
                    return .success(candidate)
                }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        return .failure(CLIRunnerError(description: """
            cannot find the `bpe` binary next to the test executable; looked at: \
            \(tried.joined(separator: ", ")). Build it with `swift build --build-tests` \
            (the bpeTests target depends on bpe), or set BPE_TEST_BINARY.
            """))
    }()

    /// Limits how many `bpe` processes run at once: each loads a vocabulary, and Swift Testing
    /// runs tests in parallel.
    private static let slots = ProcessSlots(max(2, ProcessInfo.processInfo.activeProcessorCount))

    /// Runs `bpe` with `arguments`, feeding `stdin`, and waits for it.
    ///
    /// The child gets this process's environment without BPE_VOCAB_DIR (so the caller's shell
    /// cannot change results), plus `environment`.
    static func run(_ arguments: [String], stdin: [UInt8] = [], environment: [String: String] = [:],
                    currentDirectory: URL? = nil, executable: URL? = nil, io: IOMode = .files,
                    timeout: TimeInterval = 120) async throws -> CLIResult {
        let exe = try executable ?? binary()
        var env = ProcessInfo.processInfo.environment
        env["BPE_VOCAB_DIR"] = nil
        for (k, v) in environment { env[k] = v }

        await slots.acquire()
        do {
            let result = try await spawn(exe, arguments, stdin: stdin, env: env, cwd: currentDirectory,
                                         io: io, timeout: timeout)
            await slots.release()
            return result
        } catch {
            await slots.release()
            throw error
        }
    }

    static func run(_ arguments: [String], stdin: String, environment: [String: String] = [:],
                    currentDirectory: URL? = nil, io: IOMode = .files) async throws -> CLIResult {
        try await run(arguments, stdin: Array(stdin.utf8), environment: environment,
                      currentDirectory: currentDirectory, io: io)
    }

    private static func spawn(_ exe: URL, _ arguments: [String], stdin: [UInt8], env: [String: String],
                              cwd: URL?, io: IOMode, timeout: TimeInterval) async throws -> CLIResult {
        _ = ignoreSIGPIPE
        let scratch = try TemporaryDirectory(prefix: "bpe-run")
        defer { scratch.remove() }
        let process = Process()
        process.executableURL = exe
        process.arguments = arguments
        process.environment = env
        if let cwd { process.currentDirectoryURL = cwd }

        let box = ProcessBox(process)
        let stdoutBox = ByteBox(), stderrBox = ByteBox()
        let readers = DispatchGroup()

        switch io {
        case .files, .fullDisk, .closedPipe:
            let inURL = scratch.url.appendingPathComponent("stdin")
            let outURL = scratch.url.appendingPathComponent("stdout")
            let errURL = scratch.url.appendingPathComponent("stderr")
            try Data(stdin).write(to: inURL)
            _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
            _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
            let inH = try FileHandle(forReadingFrom: inURL)
            let outH = try FileHandle(forWritingTo: outURL)
            let errH = try FileHandle(forWritingTo: errURL)
            defer { try? inH.close(); try? outH.close(); try? errH.close() }
            process.standardInput = inH
            process.standardError = errH
            switch io {
            case .fullDisk:
                guard let full = FileHandle(forWritingAtPath: "/dev/full") else {
                    throw CLIRunnerError(description: "cannot open /dev/full")
                }
                process.standardOutput = full
            case .closedPipe:
                let pipe = Pipe()
                try pipe.fileHandleForReading.close()
                process.standardOutput = pipe
            default:
                process.standardOutput = outH
            }
            try await launchAndWait(box, timeout: timeout)
            // FileHandle, not Data(contentsOf:), which leaks on empty files under ASan.
            stdoutBox.set(Array(try FileHandle(forReadingFrom: outURL).readToEnd() ?? Data()))
            stderrBox.set(Array(try FileHandle(forReadingFrom: errURL).readToEnd() ?? Data()))

        case .pipes:
            let inPipe = Pipe(), outPipe = Pipe(), errPipe = Pipe()
            process.standardInput = inPipe
            process.standardOutput = outPipe
            process.standardError = errPipe
            let input = Data(stdin)
            // Entered before launch: the termination handler may resume us before the
            // readers have even started.
            readers.enter()
            readers.enter()
            try await launchAndWait(box, timeout: timeout) {
                // Started only once the child runs; the parent's copies of the child's pipe
                // ends are closed by Process, so the reads end when the child exits.
                for (pipe, sink) in [(outPipe, stdoutBox), (errPipe, stderrBox)] {
                    let reader = Thread {
                        sink.set(Array(pipe.fileHandleForReading.readDataToEndOfFile()))
                        readers.leave()
                    }
                    reader.start()
                }
                let writer = Thread {
                    // EPIPE (the child stopped reading) is not our concern here: SIGPIPE is ignored.
                    try? inPipe.fileHandleForWriting.write(contentsOf: input)
                    try? inPipe.fileHandleForWriting.close()
                }
                writer.start()
            }
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                readers.notify(queue: .global()) { c.resume() }
            }
        }

        let signalled = process.terminationReason == .uncaughtSignal
        return CLIResult(arguments: arguments, status: process.terminationStatus, signalled: signalled,
                         timedOut: box.timedOut, stdoutBytes: stdoutBox.get(), stderrBytes: stderrBox.get())
    }

    private static func launchAndWait(_ box: ProcessBox, timeout: TimeInterval,
                                      afterLaunch: @escaping @Sendable () -> Void = {}) async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
            box.process.terminationHandler = { _ in c.resume() }
            do {
                try box.process.run()
            } catch {
                box.process.terminationHandler = nil
                c.resume(throwing: CLIRunnerError(description: "cannot start \(box.process.executableURL?.path ?? "?"): \(error)"))
                return
            }
            afterLaunch()
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                if box.process.isRunning {
                    box.timedOut = true
                    box.process.terminate()
                }
            }
        }
    }

    /// A write to a pipe whose reader has exited must not kill the test runner.
    private static let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()
}

// MARK: - Small helpers

/// Makes one `bpe` run available to another thread (timeout, termination handler).
private final class ProcessBox: @unchecked Sendable {
    let process: Process
    private let lock = NSLock()
    private var _timedOut = false
    init(_ process: Process) { self.process = process }
    var timedOut: Bool {
        get { lock.lock(); defer { lock.unlock() }; return _timedOut }
        set { lock.lock(); _timedOut = newValue; lock.unlock() }
    }
}

private final class ByteBox: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    func set(_ b: [UInt8]) { lock.lock(); bytes = b; lock.unlock() }
    func get() -> [UInt8] { lock.lock(); defer { lock.unlock() }; return bytes }
}

/// A counting semaphore for async code.
actor ProcessSlots {
    private var available: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []
    init(_ n: Int) { available = n }
    func acquire() async {
        if available > 0 { available -= 1; return }
        await withCheckedContinuation { waiters.append($0) }
    }
    func release() {
        if waiters.isEmpty { available += 1 } else { waiters.removeFirst().resume() }
    }
}

/// A fresh directory under the system temporary folder, removed by `remove()`.
struct TemporaryDirectory: Sendable {
    let url: URL
    init(prefix: String = "bpe-tests") throws {
        let base = FileManager.default.temporaryDirectory
        url = base.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    var path: String { url.path }

    /// Writes `bytes` to `name` inside the directory and returns its path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file.path
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String { try write(name, Array(text.utf8)) }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Runs `body` with a fresh temporary directory and removes it afterwards.
func withTemporaryDirectory<T>(_ body: (TemporaryDirectory) async throws -> T) async throws -> T {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    return try await body(dir)
}

/// A tiny custom vocabulary: the 256 single bytes with ranks 0...255, then a few merges.
enum TinyVocab {
    static let merges: [[UInt8]] = [
        Array("he".utf8),     // 256
        Array("ll".utf8),     // 257
        Array("hell".utf8),   // 258
        Array("hello".utf8),  // 259
        Array(" w".utf8),     // 260
        Array("or".utf8),     // 261
        Array("é".utf8),      // 262  (C3 A9: one token that is a whole character)
    ]
    /// A special token id right after the last merge.
    static let endToken = "<|end|>"
    static let endID = 263
    static var specialArgument: String { "\(endToken)=\(endID)" }

    /// The .tiktoken text, one "base64 rank" line per token.
    static var fileText: String {
        var lines: [String] = (0..<256).map { "\(Data([UInt8($0)]).base64EncodedString()) \($0)" }
        for (i, m) in merges.enumerated() { lines.append("\(Data(m).base64EncodedString()) \(256 + i)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes tiny.tiktoken into `dir` and returns its path.
    static func write(in dir: TemporaryDirectory, name: String = "tiny.tiktoken") throws -> String {
        try dir.write(name, fileText)
    }

    /// `--vocab PATH --pattern gpt2 --special <|end|>=263`
    static func arguments(_ path: String, pattern: String = "gpt2") -> [String] {
        ["--vocab", path, "--pattern", pattern, "--special", specialArgument]
    }
}


/// Text in many scripts, with CRLF, lone CR, tabs, emoji (ZWJ sequences, flags, skin tones),
/// combining marks, NUL/DEL/ESC, odd spaces and long runs. Valid UTF-8 throughout.
enum Samples {
    static let multilingual: [String] = [
        "Hello, world! Grüße aus Köln — naïve café, façade, Œuvre.\r\n",
        "Привет, мир! Ελληνικά κείμενα. עברית שלום. العربية مرحبا بالعالم.\r\n",
        "日本語のテキスト、中文文本，한국어 텍스트。ｆｕｌｌｗｉｄｔｈ ＡＢＣ\n",
        "हिन्दी पाठ, ภาษาไทย, ქართული, Tiếng Việt, አማርኛ, ᓀᐦᐃᔭᐍᐏᐣ\n",
        "Emoji: 😀🎉👍🏽 👩‍👩‍👧‍👦 🏳️‍🌈 🇯🇵🇫🇷 ✈️ ❤️‍🔥 🧑🏿‍🚀\n",
        "Combining: e\u{301} a\u{308}\u{323} Z\u{351}\u{36B}\u{343}\u{36A}a\u{302}\u{310}l\u{30B}g\u{33E}o\n",
        "Whitespace:\t tabs\t\t and   spaces   \u{A0}nbsp \u{2003}em \u{3000}ideographic \u{2028}LS\n",
        "Code: for (int i = 0; i < n; ++i) { x += a[i] * 2; } // 100% ok? <|notspecial|>\r\n",
        "Numbers: 1234567890 3.14159 -42 1e10 0x1F 12,345,678.90\n",
        "   \n\n\n\r\r\n  \r lone CR and trailing spaces   \n",
        "Controls: \u{0} NUL, \u{7F} DEL, \u{1B}[0m ESC, \u{FEFF}BOM, \u{FFFD} replacement, \u{10FFFF} max.\n",
        "Contractions: I'm we'll they'RE Don'T it's you've I'D\n",
        "Runs: " + String(repeating: "a", count: 3000) + " " + String(repeating: "🙂", count: 200) + " "
            + String(repeating: " ", count: 100) + String(repeating: "ab", count: 500) + "\n",
        "No trailing newline at the very end: ok",
    ]
    static var multilingualText: String { multilingual.joined() }

    /// Byte sequences that are not valid UTF-8, with the offset of the first invalid byte.
    static let invalidUTF8: [(name: String, bytes: [UInt8], firstBad: Int)] = [
        ("lone 0xFF", Array("ab".utf8) + [0xFF] + Array("cd".utf8), 2),
        ("lone continuation", Array("héllo".utf8) + [0x80], 6),
        ("truncated at end", Array("héllo".utf8) + [0xC3], 6),
        ("truncated 4-byte", Array("x".utf8) + [0xF0, 0x9F, 0x98] + Array("y".utf8), 1),
        ("overlong slash", [0xC0, 0xAF], 0),
        ("UTF-16 surrogate", Array("abc".utf8) + [0xED, 0xA0, 0x80], 3),
        ("beyond U+10FFFF", Array("ok ".utf8) + [0xF4, 0x90, 0x80, 0x80], 3),
    ]
}
