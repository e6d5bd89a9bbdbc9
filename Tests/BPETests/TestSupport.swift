@testable import BPE
import Foundation

/// The repository's Fixtures/ folder, found from this source file.
let fixturesDirectory: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("Fixtures").path
}()

/// Loads a JSON Lines fixture as dictionaries.
func jsonLines(_ relativePath: String) throws -> [[String: Any]] {
    let data = try Data(contentsOf: URL(fileURLWithPath: "\(fixturesDirectory)/\(relativePath)"))
    return try data.split(separator: UInt8(ascii: "\n")).map {
        try JSONSerialization.jsonObject(with: Data($0)) as! [String: Any]
    }
}

let builtinNames = ["r50k_base", "p50k_base", "p50k_edit", "cl100k_base", "o200k_base", "o200k_harmony"]

/// A byte-level vocabulary: the 256 bytes, then `merges` in order.
func byteVocabulary(_ merges: [String]) throws -> Vocabulary {
    try Vocabulary(tokens: (0...255).map { [UInt8($0)] } + merges.map { Array($0.utf8) })
}

