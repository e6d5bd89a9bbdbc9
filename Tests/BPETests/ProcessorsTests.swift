import Foundation
import Testing
@testable import BPE

/// The CPU count that sets every default thread count: the kernel's CPU-list syntax, and a
/// sane count for this process.
@Suite struct ProcessorsTests {
    @Test func cpuListsCountTheirCPUs() {
        #expect(Processors.count(cpuList: "0") == 1)
        #expect(Processors.count(cpuList: "\t0-1") == 2)
        #expect(Processors.count(cpuList: "0-3,8,10-11") == 7)
        #expect(Processors.count(cpuList: " 5 ") == 1)
        #expect(Processors.count(cpuList: "") == 0)
    }

    @Test func malformedCPUListsAreRejected() {
        for list in ["x", "3-1", "0-", "-2", "0-1-2", "1,,x"] {
            #expect(Processors.count(cpuList: Substring(list)) == nil, "\(list)")
        }
    }

    @Test func allowedIsBetweenOneAndTheMachine() {
        let n = Processors.allowed
        #expect(n >= 1)
        #expect(n <= ProcessInfo.processInfo.activeProcessorCount)
    }
}
