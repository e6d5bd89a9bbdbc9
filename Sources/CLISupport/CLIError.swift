import ArgumentParser
import Foundation

/// An error a command reports as one `error:` line and exit status 1, with no stack trace.
///
/// ```swift
/// throw CLIError("\(path): no such file")   // prints "error: /x: no such file", exits 1
/// ```
public struct CLIError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}

/// Runs a command body, turning any error into one `error: …` line on standard error and
/// exit status 1. ArgumentParser's own exits (`ExitCode`, help) pass through unchanged; a
/// closed pipe on standard output ends the run silently with ``brokenPipeExitStatus``.
///
/// - Parameter wording: the command line's words for a library error (flag names where the
///   library names its parameters), or `nil` to print the error's own description. This is
///   the edge where errors are printed, so it is where the translation happens.
public func reportingErrors(wording: (any Error) -> String? = { _ in nil }, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as ExitCode {
        throw e
    } catch let e as OutputError where e.isBrokenPipe {
        throw ExitCode(brokenPipeExitStatus)
    } catch {
        // One line, whatever the error's text: scripts grep for it, people read the first line.
        let message = (wording(error) ?? "\(error)").replacingOccurrences(of: "\n", with: " ")
        printError("error: \(message)")
        throw ExitCode.failure
    }
}
