import CPCRE2
import Foundation

/// A compiled, JIT-compiled PCRE2 pattern that splits UTF-8 bytes into pieces.
///
/// The pattern is compiled once with `UTF`, `UCP` (so `\p{L}`, `\d`, `\w` are Unicode-aware)
/// and `DOLLAR_ENDONLY` (so `$` means the end of the subject, as in Rust's `regex`, which is
/// what tiktoken runs; PCRE2's default `$` would also match before a final newline).
///
/// ## Sharing
/// `Pattern` is `Sendable`: the `pcre2_code` it owns is never written after `init` returns,
/// and PCRE2 documents compiled code (including its JIT code) as safe to use from many
/// threads at once. Everything a match writes — match data, the JIT stack — lives in a
/// ``Matcher``, which belongs to one thread at a time; the pool of idle matchers behind
/// ``withMatcher(_:)`` is the only mutable state, and a lock guards it.
///
/// ```swift
/// let p = try Pattern(#"\p{L}+|\s+|."#)
/// p.split(Array("héllo wörld".utf8))   // [0..<6, 6..<7, 7..<13]
/// ```
public final class Pattern: @unchecked Sendable {
    /// The pattern text, as PCRE2 compiled it.
    public let source: String
    /// Owned; freed in `deinit`. Read-only after `init`.
    let code: OpaquePointer
    /// Whether JIT compilation succeeded. Without it PCRE2 interprets, which is correct but slower.
    public let isJITCompiled: Bool
    /// Matchers returned by ``withMatcher(_:)``, kept for the next call.
    private var idle: [Matcher] = []
    private let idleLock = NSLock()

    /// Compiles `source`.
    ///
    /// - Throws: ``PatternError`` with PCRE2's message and the byte offset of the error.
    /// - Complexity: O(pattern length) plus JIT compile time (a few milliseconds).
    public init(_ source: String) throws(PatternError) {
        self.source = source
        var errorCode: Int32 = 0
        var errorOffset: Int = 0
        let options = UInt32(PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY)
        let compiled = source.utf8CString.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: UInt8.self, capacity: buf.count) { ptr in
                pcre2_compile_8(ptr, buf.count - 1, options, &errorCode, &errorOffset, nil)
            }
        }
        guard let compiled else {
            throw PatternError(message: Pattern.message(for: errorCode), offset: errorOffset, pattern: source)
        }
        code = compiled
        isJITCompiled = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE)) == 0
    }

    deinit { pcre2_code_free_8(code) }

    static func message(for errorCode: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = pcre2_get_error_message_8(errorCode, &buffer, buffer.count)
        return n > 0 ? String(decoding: buffer[0..<Int(n)], as: UTF8.self) : "PCRE2 error \(errorCode)"
    }

    /// A fresh matcher for this pattern. Keep one per thread and reuse it across calls.
    public func makeMatcher() -> Matcher { Matcher(pattern: self) }

    /// Runs `body` with a matcher that no other thread is using: one kept from an earlier
    /// call if there is one, else a new one. So a caller that matches many short texts, one
    /// call each, allocates match data once per thread rather than once per call.
    ///
    /// ```swift
    /// let pieces = pattern.withMatcher { m in text.withUnsafeBufferPointer { m.split($0) } }
    /// ```
    /// - Complexity: O(1) besides `body`: one uncontended lock on each side.
    public func withMatcher<R, E: Error>(_ body: (Matcher) throws(E) -> R) throws(E) -> R {
        idleLock.lock()
        let m = idle.popLast() ?? Matcher(pattern: self)
        idleLock.unlock()
        defer {
            idleLock.lock()
            // A few per core is plenty; more would only be kept for bursts.
            if idle.count < 64 { idle.append(m) }
            idleLock.unlock()
        }
        return try body(m)
    }
}

/// A pattern that PCRE2 refused to compile.
public struct PatternError: Error, CustomStringConvertible, Sendable {
    /// PCRE2's description of the problem.
    public let message: String
    /// Byte offset into the pattern where PCRE2 stopped.
    public let offset: Int
    /// The pattern text.
    public let pattern: String
    public var description: String {
        "invalid split pattern at byte \(offset): \(message) (pattern: \(pattern))"
    }
}
