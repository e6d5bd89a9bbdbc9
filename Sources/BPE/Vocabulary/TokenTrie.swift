/// A byte trie of tokens in double-array form, for "the longest token that starts here".
///
/// Node `s` has the child for byte `c` at `t = base[s] + c` exactly when `check[t] == s`, so
/// a step is two loads, and a node's children sit side by side in memory. `token[s]` is the
/// token that ends at node `s`, or `Rank.max`. The root is node 0. The three fields of a
/// cell sit together (``Cell``), so a step touches one cache line.
///
/// Built once per vocabulary from its tokens (those the backtracking encoder may emit).
///
/// The first two steps of every walk are one load instead: ``pairNodes`` holds the node
/// after each pair of first bytes (256 KiB, of which text touches a few lines: the lead and
/// second bytes of its script), ``byteTokens`` the token of each single byte. A walk is a
/// chain of dependent loads, and a CJK character is three bytes, so this shortens the chain
/// by a step or so a token (`bpe-bench`, paired: 1 MB of one repeated CJK character 0.94×
/// the time with o200k and with cl100k; CJK text and random letters 1.00×, within noise).
/// Both are made from the cells when the trie is made or mapped (0.1 ms).
///
/// ```swift
/// let trie = TokenTrie(tokens: [(Array("a".utf8), 0), (Array("ab".utf8), 1)])
/// trie.longestPrefix(of: "abc")   // (1, 2): token 1, two bytes
/// ```
/// - Complexity: building is O(total token bytes × a small factor); a lookup is O(match
///   length).
final class TokenTrie: @unchecked Sendable {
    struct Cell {
        var base: Int32
        var check: Int32
        var token: Rank
    }
    /// The cells; read-only once built.
    let storage: Slab<Cell>
    let count: Int
    private let cells: UnsafeMutablePointer<Cell>
    /// The node after bytes `b0`, `b1` at index `b0 << 8 | b1`, or -1 where no token starts so.
    private let pairNodes: Slab<Int32>
    /// The token of byte `b` alone, or `Rank.max`.
    private let byteTokens: Slab<Rank>

    /// A trie over cells built earlier (read from a cache file).
    init(storage: Slab<Cell>) {
        self.storage = storage
        count = storage.count
        cells = storage.base
        (pairNodes, byteTokens) = Self.firstSteps(cells, count)
    }

    /// ``pairNodes`` and ``byteTokens`` from the cells.
    /// - Complexity: O(256 + the children of the root's children).
    private static func firstSteps(_ cells: UnsafeMutablePointer<Cell>, _ count: Int) -> (Slab<Int32>, Slab<Rank>) {
        let pairs = Slab<Int32>(count: 1 << 16, repeating: -1)
        let bytes = Slab<Rank>(count: 256, repeating: .max)
        guard count > 0 else { return (pairs, bytes) }
        func child(_ s: Int, _ b: Int) -> Int? {
            let t = Int(cells[s].base) + b
            return t > 0 && t < count && Int(cells[t].check) == s ? t : nil
        }
        for b0 in 0..<256 {
            guard let a = child(0, b0) else { continue }
            bytes.base[b0] = cells[a].token
            for b1 in 0..<256 {
                if let t = child(a, b1) { pairs.base[b0 << 8 | b1] = Int32(t) }
            }
        }
        return (pairs, bytes)
    }

    /// Builds the trie of `tokens` (bytes, id); ids need not be sorted, bytes must be distinct.
    init(tokens: [(bytes: UnsafeBufferPointer<UInt8>, id: Rank)]) {
        // Sorted keys give each node's children in one contiguous run of the list.
        let keys = tokens.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
        var base: [Int32] = [0]
        var check: [Int32] = [-1]   // -1: free; the root's own check is never read
        var token: [Rank] = [.max]
        // Free cells are found by scanning from `firstFree`, which only moves forward.
        var firstFree = 1
        func ensure(_ size: Int) {
            if base.count < size {
                let grow = max(size, base.count * 2) - base.count
                base += repeatElement(0, count: grow)
                check += repeatElement(-1, count: grow)
                token += repeatElement(.max, count: grow)
            }
        }
        // Work list: (node, key range sharing the node's prefix, depth = prefix length).
        var work: [(node: Int32, range: Range<Int>, depth: Int)] = [(0, 0..<keys.count, 0)]
        var children: [(byte: UInt8, range: Range<Int>)] = []
        while let (node, range, depth) = work.popLast() {
            children.removeAll(keepingCapacity: true)
            var i = range.lowerBound
            // A key that ends here is the node's token; it sorts first among its extensions.
            if i < range.upperBound && keys[i].bytes.count == depth {
                token[Int(node)] = keys[i].id
                i += 1
            }
            while i < range.upperBound {
                let c = keys[i].bytes[depth]
                var j = i + 1
                while j < range.upperBound && keys[j].bytes[depth] == c { j += 1 }
                children.append((c, i..<j))
                i = j
            }
            guard !children.isEmpty else { continue }
            // The smallest base that puts every child in a free cell.
            while firstFree < check.count && check[firstFree] >= 0 { firstFree += 1 }
            var b = max(firstFree - Int(children[0].byte), 1)
            search: while true {
                ensure(b + 256)
                for ch in children where check[b + Int(ch.byte)] >= 0 {
                    b += 1
                    continue search
                }
                break
            }
            base[Int(node)] = Int32(b)
            for ch in children {
                let t = b + Int(ch.byte)
                check[t] = node
                work.append((Int32(t), ch.range, depth + 1))
            }
        }
        // Keep up to the last used cell; a lookup checks its index against `count`.
        var last = check.count - 1
        while last > 0 && check[last] < 0 { last -= 1 }
        count = last + 1
        storage = Slab((0..<count).map { Cell(base: base[$0], check: check[$0], token: token[$0]) })
        cells = storage.base
        (pairNodes, byteTokens) = Self.firstSteps(cells, count)
    }

    /// The token of byte `b` alone, or `Rank.max` when it is not in the trie.
    /// - Complexity: O(1).
    func token(ofByte b: UInt8) -> Rank { byteTokens.base[Int(b)] }

    /// The longest token that is a prefix of `p[0..<n]`, with its length, or `nil`.
    @inline(__always)
    func longestPrefix(_ p: UnsafePointer<UInt8>, _ n: Int) -> (token: Rank, length: Int)? {
        guard n > 0 else { return nil }
        // A sentinel, not an optional: the walk is the backtracking encoder's inner loop.
        var bestToken = byteTokens.base[Int(p[0])], bestLength = bestToken == .max ? 0 : 1
        let after2 = n > 1 ? Int(pairNodes.base[Int(p[0]) << 8 | Int(p[1])]) : -1
        if after2 < 0 { return bestToken == .max ? nil : (bestToken, bestLength) }
        var s = after2
        var i = 2
        let token2 = cells[s].token
        if token2 != .max {
            bestToken = token2
            bestLength = 2
        }
        while i < n {
            let t = Int(cells[s].base) &+ Int(p[i])
            guard UInt(bitPattern: t) < UInt(count), Int(cells[t].check) == s else { break }
            s = t
            i &+= 1
            let tok = cells[s].token
            if tok != .max {
                bestToken = tok
                bestLength = i
            }
        }
        return bestToken == .max ? nil : (bestToken, bestLength)
    }

    /// Calls `body(token, length)` for every token that is a prefix of `p[0..<n]`, shortest first.
    func forEachPrefix(_ p: UnsafePointer<UInt8>, _ n: Int, _ body: (Rank, Int) -> Void) {
        var s = 0
        var i = 0
        while i < n {
            let t = Int(cells[s].base) + Int(p[i])
            guard UInt(bitPattern: t) < UInt(count), Int(cells[t].check) == s else { return }
            s = t
            i += 1
            if cells[s].token != .max { body(cells[s].token, i) }
        }
    }
}
