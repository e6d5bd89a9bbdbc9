import Foundation

/// Task `index` of `count`: which share of a corpus one task of a job array takes (see
/// ``CorpusLayout/share(of:)`` for the share itself).
///
/// Tasks are numbered from 0, as Slurm numbers an array submitted with
/// `sbatch --array=0-(N-1)`: part `0/4` is the first of four, `3/4` the last.
///
/// ```swift
/// try CorpusPart.parse("3/4")            // index 3, count 4
/// try CorpusPart.parse("slurm")          // from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT
/// try CorpusPart.parse("4/4")            // throws: the index must be below the count
/// ```
public struct CorpusPart: Sendable, Hashable, CustomStringConvertible {
    /// Which task, `0 ..< count`.
    public let index: Int
    /// How many tasks share the corpus, at least 1.
    public let count: Int

    /// - Throws: ``Error/noParts(_:)`` for `count < 1`, ``Error/indexOutOfRange(index:count:)``
    ///   unless `0 <= index < count`.
    public init(index: Int, count: Int) throws(Error) {
        guard count >= 1 else { throw .noParts("\(index)/\(count)") }
        guard index >= 0 && index < count else { throw .indexOutOfRange(index: index, count: count) }
        self.index = index
        self.count = count
    }

    /// The whole corpus as one part, `0/1`.
    public static let whole = CorpusPart(unchecked: 0, 1)

    private init(unchecked index: Int, _ count: Int) {
        self.index = index
        self.count = count
    }

    /// `K/N`.
    public var description: String { "\(index)/\(count)" }

    /// Reads a part as written on a command line: `K/N` (task K of N, from 0), or `slurm`.
    ///
    /// `slurm` takes K from `SLURM_ARRAY_TASK_ID` and N from `SLURM_ARRAY_TASK_COUNT`. Slurm
    /// sets the first to the array index as given to `sbatch --array`, so the array must be
    /// `--array=0-(N-1)`, without a step or gaps (`%` to limit how many run at once is fine).
    /// When Slurm also sets `SLURM_ARRAY_TASK_MIN` and `SLURM_ARRAY_TASK_MAX` (22.05 does),
    /// they are checked against that: `--array=1-8` would otherwise make task 8 of 8 an error
    /// only in the last task, and `--array=0-14:2` would silently skip half the corpus.
    ///
    /// To rerun one task of an array, give its part as `K/N` (in a job script,
    /// `"$SLURM_ARRAY_TASK_ID/$N"`): a resubmitted `sbatch --array=7` is an array of one task
    /// (`SLURM_ARRAY_TASK_COUNT=1`, `SLURM_ARRAY_TASK_MIN=7`), which `slurm` refuses.
    ///
    /// - Parameter environment: where to look the variables up (a parameter for tests).
    /// - Throws: ``Error`` saying what is wrong and how to write it.
    public static func parse(_ text: String,
                             environment: [String: String] = ProcessInfo.processInfo.environment) throws(Error) -> CorpusPart {
        if text == "slurm" { return try fromSlurm(environment) }
        let sides = text.split(separator: "/", omittingEmptySubsequences: false)
        guard sides.count == 2, let k = Int(sides[0]), let n = Int(sides[1]) else { throw .malformed(text) }
        return try CorpusPart(index: k, count: n)
    }

    private static func fromSlurm(_ env: [String: String]) throws(Error) -> CorpusPart {
        func number(_ name: String, required: Bool) throws(Error) -> Int? {
            guard let value = env[name] else {
                if required { throw .missingEnvironment(name) }
                return nil
            }
            guard let n = Int(value) else { throw .badEnvironment(name: name, value: value) }
            return n
        }
        let id = try number("SLURM_ARRAY_TASK_ID", required: true)!
        let count = try number("SLURM_ARRAY_TASK_COUNT", required: true)!
        if let min = try number("SLURM_ARRAY_TASK_MIN", required: false), min != 0 {
            throw .slurmArrayShape("it starts at index \(min) (SLURM_ARRAY_TASK_MIN), not 0", count: count)
        }
        if let max = try number("SLURM_ARRAY_TASK_MAX", required: false), max != count - 1 {
            throw .slurmArrayShape("its indices run to \(max) (SLURM_ARRAY_TASK_MAX) for \(count) tasks (SLURM_ARRAY_TASK_COUNT), so it has a step or gaps", count: count)
        }
        return try CorpusPart(index: id, count: count)
    }

    /// Why a part could not be made.
    public enum Error: Swift.Error, CustomStringConvertible, Equatable {
        /// Not `K/N` or `slurm`.
        case malformed(String)
        /// N is 0 or negative.
        case noParts(String)
        /// K is not in `0 ..< N`.
        case indexOutOfRange(index: Int, count: Int)
        /// A Slurm variable is not set.
        case missingEnvironment(String)
        /// A Slurm variable is not a whole number.
        case badEnvironment(name: String, value: String)
        /// The job array is not `0-(N-1)`.
        case slurmArrayShape(String, count: Int)
        /// Standard input as a corpus input: its size is not known before reading it all.
        case standardInput
        /// A file's size differs from the size the layout was made with.
        case fileChanged(path: String, expected: Int, found: Int)

        public var description: String {
            switch self {
            case .malformed(let s):
                return "part '\(s)': expected K/N (task K of N, counting from 0, e.g. 0/8 ... 7/8) or 'slurm'"
            case .noParts(let s):
                return "part '\(s)': the number of parts must be at least 1"
            case .indexOutOfRange(let k, let n):
                return "part \(k)/\(n): the task index must be between 0 and \(n - 1) (tasks count from 0)"
            case .missingEnvironment(let name):
                return "part 'slurm': \(name) is not set; run inside a Slurm job array (sbatch --array=0-N), or give the part as K/N"
            case .badEnvironment(let name, let value):
                return "part 'slurm': \(name)=\(value.debugDescription) is not a whole number"
            case .slurmArrayShape(let why, let n):
                return "part 'slurm': the job array does not number its tasks 0 to N-1: \(why); submit it with sbatch --array=0-\(max(n - 1, 0)), or give the part as K/N (to rerun one task of N, say)"
            case .standardInput:
                return "standard input cannot be cut into parts (its size is unknown until it is all read); give files or folders"
            case .fileChanged(let p, let e, let f):
                return "\(p): the file changed while the corpus was being cut into parts (\(e) bytes, now \(f)); every task must see the same files"
            }
        }
    }
}
