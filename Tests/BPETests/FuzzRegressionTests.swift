import BPE
import Foundation
import FuzzSupport
import Testing

/// Replays the fuzz seeds (Fixtures/fuzz/<target>/) and every crash input scripts/fuzz.sh has
/// saved (Fixtures/fuzz/crashes/<target>-<hash>) through the very checks the fuzz targets run
/// (FuzzSupport's EncodeCheck, ParsersCheck and SplitCheck), so a crash once found stays fixed.
@Suite struct FuzzRegressionTests {
    static let fuzzDirectory = fixturesDirectory + "/fuzz"

    /// "Target/file" for the seeds and crash inputs of `target`.
    static func inputs(_ target: String) -> [String] {
        let files = FileManager.default
        let seeds = ((try? files.contentsOfDirectory(atPath: "\(fuzzDirectory)/\(target)")) ?? [])
            .filter { !$0.hasPrefix(".") }.map { "\(target)/\($0)" }
        let crashes = ((try? files.contentsOfDirectory(atPath: "\(fuzzDirectory)/crashes")) ?? [])
            .filter { $0.hasPrefix(target + "-") }.map { "crashes/\($0)" }
        return (seeds + crashes).sorted()
    }

    static func bytes(_ input: String) throws -> [UInt8] {
        try Array(Data(contentsOf: URL(fileURLWithPath: "\(fuzzDirectory)/\(input)")))
    }

    @Test func seedsArePresent() {
        for target in ["FuzzEncode", "FuzzParsers", "FuzzSplit"] {
            #expect(!Self.inputs(target).isEmpty, "no seeds in Fixtures/fuzz/\(target)")
        }
    }

    /// The check's complaint about `input`, or nil.
    static func violation(_ input: String, _ check: (UnsafeBufferPointer<UInt8>) -> String?) throws -> String? {
        try bytes(input).withUnsafeBufferPointer(check)
    }

    @Test(arguments: inputs("FuzzEncode"))
    func encodeRoundTrips(_ input: String) throws {
        let problem = try Self.violation(input, EncodeCheck.violation)
        #expect(problem == nil, "\(input): \(problem ?? "")")
    }

    @Test(arguments: inputs("FuzzParsers"))
    func parsersThrowRatherThanTrap(_ input: String) throws {
        let problem = try Self.violation(input, ParsersCheck.violation)
        #expect(problem == nil, "\(input): \(problem ?? "")")
    }

    @Test(arguments: inputs("FuzzSplit"))
    func splitTilesAndLexerAgrees(_ input: String) throws {
        let problem = try Self.violation(input, SplitCheck.violation)
        #expect(problem == nil, "\(input): \(problem ?? "")")
    }

    /// The checks must be able to fail: a wrong answer is reported, not waved through.
    @Test func checksReportViolations() {
        #expect(SplitCheck.tilingViolation([0..<2, 3..<5], count: 5) != nil)   // a gap
        #expect(SplitCheck.tilingViolation([0..<3, 2..<5], count: 5) != nil)   // an overlap
        #expect(SplitCheck.tilingViolation([0..<2, 2..<4], count: 5) != nil)   // short
        #expect(SplitCheck.tilingViolation([0..<2, 2..<5], count: 5) == nil)
    }
}
