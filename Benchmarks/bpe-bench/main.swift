// Times our encoder on a file, for Benchmarks/encode_bench.py and Benchmarks/compare.py,
// which run the peers on the same file in the same run and print the ratios.
//
//   bpe-bench ENCODING FILE [RUNS]
//       one JSON line: load time, per-run times, median MB/s of single-thread encodeOrdinary.
//       Other tools parse this line: its keys and their order stay as they are.
//   bpe-bench --fresh ENCODING FILE [RUNS]
//       each run loads a new Encoding (Encoding.load on the built-in's vocabulary file, so no
//       per-process cache is shared) and times its first encode of the file; "fresh" figures
//       for a cache from piece to tokens. One short "warm up" encode comes first, so lazy
//       set-up is not counted, only the empty cache.
//   bpe-bench --batch THREADS [--doc-bytes N] ENCODING FILE [RUNS]
//       cuts the file after newlines into documents of at least N bytes (default 4096; the
//       last may be shorter) and times encodeOrdinaryBatch(threads: THREADS) on them. Pin it
//       to as many cores (taskset -c 0 for 1 thread, -c 0,1 for 2); the JSON says how many
//       CPUs it was allowed ("cpus") and warns on stderr if that is not THREADS.
//   bpe-bench --each [--doc-bytes N] ENCODING FILE [RUNS]
//       the same documents as --batch, encoded one encodeOrdinary call each on this thread:
//       the loop a program writes when texts come one at a time. Each run starts from a fresh
//       Encoding (as --fresh), so the first run's thread cache does not warm the next run.
//   bpe-bench --ids OUT [--fresh] ENCODING FILE
//       encodes once and writes the ids to OUT as little-endian UInt32 (for the exactness
//       check in compare.py); prints the JSON line of a single run.
//   bpe-bench --split ENCODING FILE [RUNS]
//       times the encoding's pre-tokenizer alone (the preset's hand-written lexer, counting
//       pieces): the share of an encode that is lexing, against the same file's plain run.
//       "tokens" is the number of pieces here (also as "pieces").
//
// Every mode prints one JSON line; the new modes add their own keys after the common ones.
import BPE
import Foundation

func fail(_ message: String, status: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("bpe-bench: \(message)\n".utf8))
    exit(status)
}
let usage = """
    usage: bpe-bench [--fresh] [--batch THREADS | --each | --split] [--doc-bytes N] [--ids OUT] ENCODING FILE [RUNS]
    """

var fresh = false
var batchThreads: Int?
var each = false
var splitOnly = false
var docBytes = 4096
var idsOut: String?
var positional: [String] = []
var rest = CommandLine.arguments.dropFirst()
while let arg = rest.popFirst() {
    func value() -> String {
        guard let v = rest.popFirst() else { fail("\(arg) needs a value\n\(usage)", status: 2) }
        return v
    }
    switch arg {
    case "--fresh": fresh = true
    case "--batch":
        guard let n = Int(value()), n > 0 else { fail("--batch takes a positive number of threads", status: 2) }
        batchThreads = n
    case "--each": each = true
    case "--split": splitOnly = true
    case "--doc-bytes":
        guard let n = Int(value()), n > 0 else { fail("--doc-bytes takes a positive number of bytes", status: 2) }
        docBytes = n
    case "--ids": idsOut = value()
    case "-h", "--help":
        print(usage)
        exit(0)
    default:
        if arg.hasPrefix("--") { fail("unknown option \(arg)\n\(usage)", status: 2) }
        positional.append(arg)
    }
}
guard positional.count == 2 || positional.count == 3 else { fail(usage, status: 2) }
if batchThreads != nil && (fresh || idsOut != nil || each) {
    fail("--batch cannot be combined with --fresh, --each or --ids", status: 2)
}
if each && (fresh || idsOut != nil) {
    fail("--each cannot be combined with --fresh or --ids", status: 2)
}
if splitOnly && (fresh || idsOut != nil || each || batchThreads != nil) {
    fail("--split cannot be combined with --fresh, --ids, --each or --batch", status: 2)
}
let encodingName = positional[0], file = positional[1]
let runs: Int
if positional.count > 2 {
    guard let n = Int(positional[2]), n > 0 else { fail("RUNS must be a positive number, not \(positional[2])", status: 2) }
    runs = idsOut == nil ? n : 1
} else {
    runs = idsOut == nil ? 5 : 1
}
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// A new Encoding, sharing nothing with `Encoding.builtin`'s per-process cache.
func loadFresh() -> Encoding {
    guard let spec = BuiltinEncoding.named(encodingName) else {
        fail("unknown encoding \(encodingName); known: \(BuiltinEncoding.names.joined(separator: ", "))")
    }
    do {
        let path = try VocabLocator().locate(spec.file)
        return try Encoding.load(tiktokenFile: path, pattern: spec.patternName,
                                 specialTokens: spec.specialTokens, name: spec.name)
    } catch {
        fail("cannot load \(encodingName): \(error)")
    }
}

let t0 = now()
let enc: Encoding
do { enc = fresh ? loadFresh() : try Encoding.builtin(encodingName) } catch {
    fail("\(error)")
}
let loadSeconds = now() - t0
guard let data = FileManager.default.contents(atPath: file),
      let text = String(data: data, encoding: .utf8) else {
    fail("cannot read \(file) as UTF-8")
}

/// The file cut after a newline once a document has `minBytes`; the same rule as
/// `documents()` in Benchmarks/bench_peers.py, so both sides encode the same documents.
func documents(_ bytes: [UInt8], minBytes: Int) -> [String] {
    var docs: [String] = []
    var start = 0, i = 0
    while i < bytes.count {
        if bytes[i] == UInt8(ascii: "\n") && i + 1 - start >= minBytes {
            docs.append(String(decoding: bytes[start...i], as: UTF8.self))
            start = i + 1
        }
        i += 1
    }
    if start < bytes.count { docs.append(String(decoding: bytes[start...], as: UTF8.self)) }
    return docs
}

var times: [Double] = []
var loadTimes: [Double] = []
var tokens = 0
var extra = ""
if let threads = batchThreads {
    let docs = documents([UInt8](data), minBytes: docBytes)
    let cpus = Processors.allowed
    if cpus != threads {
        FileHandle.standardError.write(Data(
            "bpe-bench: warning: --batch \(threads) but this process may run on \(cpus) CPUs; pin it with taskset\n".utf8))
    }
    _ = enc.encodeOrdinaryBatch(["warm up"])
    for _ in 0..<runs {
        let t = now()
        let out = enc.encodeOrdinaryBatch(docs, threads: threads)
        times.append(now() - t)
        tokens = out.reduce(0) { $0 + $1.count }
    }
    extra = #","mode":"batch","threads":\#(threads),"cpus":\#(cpus),"docs":\#(docs.count),"doc_bytes":\#(docBytes)"#
} else if each {
    let docs = documents([UInt8](data), minBytes: docBytes)
    for r in 0..<runs {
        let e = r == 0 ? enc : loadFresh()
        _ = e.encodeOrdinary("warm up")
        let t = now()
        var n = 0
        for d in docs { n += e.encodeOrdinary(d).count }
        times.append(now() - t)
        tokens = n
    }
    extra = #","mode":"each","docs":\#(docs.count),"doc_bytes":\#(docBytes)"#
} else if splitOnly {
    guard let preset = enc.preset else { fail("\(encodingName) splits with PCRE2, not a preset's lexer") }
    let bytes = [UInt8](data)
    for _ in 0..<runs {
        let t = now()
        tokens = bytes.withUnsafeBufferPointer { preset.pieceCount($0) }
        times.append(now() - t)
    }
    extra = #","mode":"split","pieces":\#(tokens)"#
} else if let idsOut {
    let t = now()
    let ids = enc.encodeOrdinary(text)
    times.append(now() - t)
    tokens = ids.count
    var out = Data(capacity: ids.count * 4)
    for id in ids { withUnsafeBytes(of: id.littleEndian) { out.append(contentsOf: $0) } }
    do { try out.write(to: URL(fileURLWithPath: idsOut), options: .atomic) } catch {
        fail("cannot write \(idsOut): \(error.localizedDescription)")
    }
    extra = #","mode":"ids","fresh":\#(fresh)"#
} else if fresh {
    for r in 0..<runs {
        let e: Encoding
        if r == 0 {
            e = enc
            loadTimes.append(loadSeconds)
        } else {
            let t = now()
            e = loadFresh()
            loadTimes.append(now() - t)
        }
        _ = e.encodeOrdinary("warm up")
        let t = now()
        tokens = e.encodeOrdinary(text).count
        times.append(now() - t)
    }
    extra = #","mode":"fresh","load_times_s":\#(loadTimes)"#
} else {
    for _ in 0..<runs {
        let t = now()
        tokens = enc.encodeOrdinary(text).count
        times.append(now() - t)
    }
}
let median = times.sorted()[times.count / 2]
let mbps = Double(data.count) / 1e6 / median
print(#"{"encoding":"\#(encodingName)","bytes":\#(data.count),"tokens":\#(tokens),"load_s":\#(loadSeconds),"times_s":\#(times),"median_s":\#(median),"mb_per_s":\#(mbps)\#(extra)}"#)
