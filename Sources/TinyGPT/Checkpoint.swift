import Foundation
import SafeFiles

/// AdamW's state, saved so a resumed run updates exactly as an uninterrupted one.
public struct OptimizerState: Sendable, Equatable {
    public var options: AdamWOptions
    public var m: [Float]
    public var v: [Float]
    public var t: Int

    public init(options: AdamWOptions, m: [Float], v: [Float], t: Int) {
        self.options = options
        self.m = m
        self.v = v
        self.t = t
    }
}

/// A saved model: shape, weights, optionally the optimizer and training state, plus free-form
/// `metadata` (strings) and `attachments` (byte blobs) for the caller, such as how to find
/// the vocabulary and a copy of its files.
///
/// File format (version 1), all integers little-endian:
/// ```
/// "TINYGPT\0"               8 bytes of magic
/// UInt32 version            1
/// UInt32 n                  length of the header
/// header                    n bytes of JSON: config, optimizer options and t, training state,
///                           metadata, and the list of sections (name, byte count) in order
/// sections                  raw bytes, one after another: "parameters", then "adam.m" and
///                           "adam.v" if saved, then "attachment:NAME" for each attachment;
///                           Float32 arrays are little-endian IEEE 754
/// ```
/// The JSON header keeps the format readable with `head -c` and easy to extend; the arrays
/// stay raw so loading a model is a copy, not a parse. The file must end exactly after the
/// last section, so a truncated file is always detected.
public struct Checkpoint: Sendable {
    /// The model's shape.
    public var config: GPTConfig
    /// All parameters, in ``ParameterLayout`` order.
    public var parameters: [Float]
    /// AdamW's moments, if saved (needed for `--resume`).
    public var optimizer: OptimizerState?
    /// Step, RNG and options of the run, if saved.
    public var training: TrainingState?
    /// The caller's key–value strings.
    public var metadata: [String: String]
    /// The caller's named byte blobs.
    public var attachments: [String: [UInt8]]

    public init(config: GPTConfig, parameters: [Float], optimizer: OptimizerState? = nil,
                training: TrainingState? = nil, metadata: [String: String] = [:],
                attachments: [String: [UInt8]] = [:]) {
        self.config = config
        self.parameters = parameters
        self.optimizer = optimizer
        self.training = training
        self.metadata = metadata
        self.attachments = attachments
    }

    static let magic: [UInt8] = Array("TINYGPT\0".utf8)
    static let version: UInt32 = 1

    struct Section: Codable, Equatable {
        var name: String
        var bytes: Int
    }

    struct Header: Codable {
        var format = "tinygpt-checkpoint"
        var config: GPTConfig
        var adam: AdamWOptions?
        var adamStep: Int?
        var training: TrainingState?
        var metadata: [String: String]
        var sections: [Section]
    }

    /// The file's bytes.
    public func encoded() throws -> [UInt8] {
        var sections = [Section(name: "parameters", bytes: 4 * parameters.count)]
        if let optimizer {
            sections.append(Section(name: "adam.m", bytes: 4 * optimizer.m.count))
            sections.append(Section(name: "adam.v", bytes: 4 * optimizer.v.count))
        }
        let names = attachments.keys.sorted()
        for name in names { sections.append(Section(name: "attachment:" + name, bytes: attachments[name]!.count)) }
        let header = Header(config: config, adam: optimizer?.options, adamStep: optimizer?.t,
                            training: training, metadata: metadata, sections: sections)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = Array(try encoder.encode(header))

        var out: [UInt8] = []
        out.reserveCapacity(16 + json.count + sections.reduce(0) { $0 + $1.bytes })
        out += Self.magic
        appendLE(UInt32(Self.version), to: &out)
        appendLE(UInt32(json.count), to: &out)
        out += json
        appendFloats(parameters, to: &out)
        if let optimizer {
            appendFloats(optimizer.m, to: &out)
            appendFloats(optimizer.v, to: &out)
        }
        for name in names { out += attachments[name]! }
        return out
    }

    /// Writes the checkpoint atomically (see ``AtomicFile``): a crash leaves the old file.
    public func write(to path: String) throws {
        try AtomicFile.write(try encoded(), to: path)
    }

    /// Reads a checkpoint file.
    /// - Throws: ``CheckpointError`` naming the file and what is wrong with it.
    public static func read(path: String) throws(CheckpointError) -> Checkpoint {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
                throw CheckpointError(path: path, isDir.boolValue ? "is a directory, not a checkpoint file" : "cannot be read")
            }
            throw CheckpointError(path: path, "no such file; train one with `tinygpt train --out \(path)`")
        }
        return try Checkpoint(decoding: [UInt8](data), source: path)
    }

    /// Parses a checkpoint from `bytes`; `source` names it in errors.
    public init(decoding bytes: [UInt8], source: String) throws(CheckpointError) {
        func fail(_ message: String) -> CheckpointError { CheckpointError(path: source, message) }
        guard bytes.count >= 16, Array(bytes[0..<8]) == Self.magic else {
            throw fail("not a tinygpt checkpoint (bad magic)")
        }
        let version = readLE(bytes, at: 8)
        guard version == Self.version else {
            throw fail("checkpoint format version \(version); this tinygpt reads version \(Self.version)")
        }
        let headerLength = Int(readLE(bytes, at: 12))
        guard 16 + headerLength <= bytes.count else {
            throw fail("truncated: the header needs \(headerLength) bytes, the file has \(bytes.count - 16) after the preamble")
        }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(bytes[16 ..< 16 + headerLength]))
        } catch {
            throw fail("unreadable header: \(error)")
        }
        guard header.format == "tinygpt-checkpoint" else { throw fail("not a tinygpt checkpoint (format \(header.format))") }
        do { try header.config.validate() } catch { throw fail("invalid model config: \(error)") }
        let expectedSize = 16 + headerLength + header.sections.reduce(0) { $0 + max(0, $1.bytes) }
        guard header.sections.allSatisfy({ $0.bytes >= 0 }), expectedSize == bytes.count else {
            throw fail(expectedSize > bytes.count
                       ? "truncated: expected \(expectedSize) bytes, found \(bytes.count)"
                       : "expected \(expectedSize) bytes, found \(bytes.count) (trailing data)")
        }
        var blobs: [String: ArraySlice<UInt8>] = [:]
        var offset = 16 + headerLength
        for s in header.sections {
            blobs[s.name] = bytes[offset ..< offset + s.bytes]
            offset += s.bytes
        }
        let count = ParameterLayout(header.config).count
        guard let params = blobs["parameters"], params.count == 4 * count else {
            throw fail("the parameters section does not hold \(count) floats for this config")
        }
        config = header.config
        parameters = readFloats(params)
        if let m = blobs["adam.m"], let v = blobs["adam.v"], let options = header.adam, let t = header.adamStep {
            guard m.count == 4 * count, v.count == 4 * count else { throw fail("optimizer state has the wrong size") }
            optimizer = OptimizerState(options: options, m: readFloats(m), v: readFloats(v), t: t)
        } else {
            optimizer = nil
        }
        training = header.training
        metadata = header.metadata
        var attachments: [String: [UInt8]] = [:]
        for (name, blob) in blobs where name.hasPrefix("attachment:") {
            attachments[String(name.dropFirst("attachment:".count))] = Array(blob)
        }
        self.attachments = attachments
    }
}

/// A checkpoint that cannot be read; `description` names the file and the problem.
public struct CheckpointError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    init(path: String, _ reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "\(path): \(reason)" }
}

private func appendLE(_ x: UInt32, to out: inout [UInt8]) {
    withUnsafeBytes(of: x.littleEndian) { out += $0 }
}

private func readLE(_ bytes: [UInt8], at i: Int) -> UInt32 {
    UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
}

private func appendFloats(_ xs: [Float], to out: inout [UInt8]) {
    #if _endian(little)
    xs.withUnsafeBytes { out += $0 }
    #else
    for x in xs { withUnsafeBytes(of: x.bitPattern.littleEndian) { out += $0 } }
    #endif
}

private func readFloats(_ bytes: ArraySlice<UInt8>) -> [Float] {
    let n = bytes.count / 4
    var out = [Float](repeating: 0, count: n)
    out.withUnsafeMutableBytes { dst in
        bytes.withUnsafeBytes { src in dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[0 ..< 4 * n])) }
    }
    #if !_endian(little)
    for i in 0..<n { out[i] = Float(bitPattern: UInt32(littleEndian: out[i].bitPattern)) }
    #endif
    return out
}
