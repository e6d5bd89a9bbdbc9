// Times our single-thread encoder on a file, for Benchmarks/encode_bench.py, which runs
// tiktoken on the same file in the same run and prints the ratio.
//
//   bpe-bench ENCODING FILE [RUNS]   → one JSON line: load time, per-run times, median MB/s
import BPE
import Foundation

let args = CommandLine.arguments
guard args.count >= 3 else {
    FileHandle.standardError.write(Data("usage: bpe-bench ENCODING FILE [RUNS]\n".utf8))
    exit(2)
}
let runs = args.count > 3 ? Int(args[3]) ?? 5 : 5
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

let t0 = now()
let enc: Encoding
do { enc = try Encoding.builtin(args[1]) } catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
let loadSeconds = now() - t0
guard let data = FileManager.default.contents(atPath: args[2]),
      let text = String(data: data, encoding: .utf8) else {
    FileHandle.standardError.write(Data("error: cannot read \(args[2]) as UTF-8\n".utf8))
    exit(1)
}
var times: [Double] = []
var tokens = 0
for _ in 0..<runs {
    let t = now()
    tokens = enc.encodeOrdinary(text).count
    times.append(now() - t)
}
let median = times.sorted()[times.count / 2]
let mbps = Double(data.count) / 1e6 / median
print(#"{"encoding":"\#(args[1])","bytes":\#(data.count),"tokens":\#(tokens),"load_s":\#(loadSeconds),"times_s":\#(times),"median_s":\#(median),"mb_per_s":\#(mbps)}"#)
