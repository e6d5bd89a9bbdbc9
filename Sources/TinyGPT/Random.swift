/// SplitMix64: a tiny, fast generator whose whole state is one `UInt64`, so a checkpoint can
/// store it and `--resume` draws exactly the batches an uninterrupted run would have drawn.
/// (Not cryptographic; plenty for weight init, batch sampling and token sampling.)
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    /// The whole state; advanced by a constant on every draw.
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform `Float` in `[0, 1)` with 24 random bits.
    public mutating func nextUnit() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A standard normal sample (Box–Muller, one of the pair; simple and stateless).
    public mutating func nextNormal() -> Float {
        let u1 = (Double(next() >> 11) + 1) * (1.0 / 9_007_199_254_740_993.0)  // (0, 1]
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Float((-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2))
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-and-reject: no modulo bias).
    /// Written out rather than `next(upperBound:)` so the sequence cannot change with the
    /// standard library.
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0)
        let n = UInt64(bound)
        var m = next().multipliedFullWidth(by: n)
        if m.low < n {
            let threshold = (0 &- n) % n
            while m.low < threshold { m = next().multipliedFullWidth(by: n) }
        }
        return Int(m.high)
    }
}

extension SplitMix64: Codable {
    // As a hex string: JSON numbers above 2^53 do not survive every JSON reader.
    public init(from decoder: Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let v = UInt64(s, radix: 16) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "RNG state must be a hex UInt64, got \(s)"))
        }
        state = v
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(String(state, radix: 16))
    }
}

import Foundation
@inline(__always) private func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Foundation.cos(x) }
