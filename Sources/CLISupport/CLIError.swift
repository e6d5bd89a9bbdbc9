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
/// exit status 1. ArgumentParser's own exits (`ExitCode`, help) pass through unchanged.
public func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as ExitCode {
        throw e
    } catch {
        // One line, whatever the error's text: scripts grep for it, people read the first line.
        let message = "\(error)".replacingOccurrences(of: "\n", with: " ")
        printError("error: \(message)")
        throw ExitCode.failure
    }
}

/// One line on standard error.
public func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
