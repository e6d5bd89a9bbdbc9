import BPE
import CLISupport

extension EncodingOptions {
    /// Runs a command with the encoding these options choose: how every command that encodes
    /// or decodes starts. Any error, loading the encoding included, is one `error:` line in
    /// flag words (``flagWording(_:)``).
    ///
    /// ```swift
    /// func run() throws {
    ///     try options.run { enc in print(enc.encodeOrdinary("hi")) }
    /// }
    /// ```
    /// - Parameter addingSpecialTokens: wrap the encoding in the special tokens its format
    ///   puts around each text (`--add-special-tokens`).
    func run(addingSpecialTokens: Bool = false, _ body: (Encoding) throws -> Void) throws {
        try reportingErrors(wording: flagWording) { try body(try load(addingSpecialTokens: addingSpecialTokens)) }
    }
}
