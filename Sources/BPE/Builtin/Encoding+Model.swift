extension Encoding {
    /// The name of the encoding a model uses, as tiktoken's `encoding_name_for_model`: an
    /// exact model name first, then the first prefix (in tiktoken's order) the name starts with.
    ///
    /// ```swift
    /// Encoding.encodingName(forModel: "gpt-4o")              // "o200k_base"
    /// Encoding.encodingName(forModel: "gpt-4-0314")          // "cl100k_base" (prefix "gpt-4-")
    /// ```
    /// - Throws: ``UnknownModelError`` with tiktoken's advice.
    /// - Complexity: O(table size).
    public static func encodingName(forModel model: String) throws(UnknownModelError) -> String {
        if let e = ModelTable.exact.first(where: { $0.model == model }) { return e.encoding }
        if let p = ModelTable.prefixes.first(where: { model.hasPrefix($0.prefix) }) { return p.encoding }
        throw UnknownModelError(model: model)
    }

    /// The encoding a model uses, as tiktoken's `encoding_for_model`.
    ///
    /// ```swift
    /// let enc = try Encoding.forModel("gpt-4o")   // o200k_base
    /// ```
    /// - Throws: ``UnknownModelError``, or ``VocabularyError`` as ``builtin(_:vocabDirectory:)``.
    public static func forModel(_ model: String, vocabDirectory: String? = nil) throws -> Encoding {
        try builtin(try encodingName(forModel: model), vocabDirectory: vocabDirectory)
    }

    /// tiktoken's model table: (model or prefix, encoding, whether it is a prefix), in the
    /// order it is searched.
    public static var modelTable: [(name: String, encoding: String, isPrefix: Bool)] {
        ModelTable.exact.map { ($0.model, $0.encoding, false) } + ModelTable.prefixes.map { ($0.prefix, $0.encoding, true) }
    }
}

/// A model name tiktoken's table does not map to an encoding.
public struct UnknownModelError: Error, Equatable, Sendable, CustomStringConvertible {
    public let model: String
    public var description: String {
        "could not map model '\(model)' to an encoding (tiktoken 0.14.0's table; `bpe encodings` lists the models); pass the encoding itself (CLI: --encoding NAME)"
    }
}
