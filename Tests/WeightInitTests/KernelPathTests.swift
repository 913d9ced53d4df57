import Testing
import _WeightInitKernels

/// Every vector path must produce the scalar reference's bytes exactly, for
/// every distribution, format and (first index, count) — including ranges
/// that start or end inside a Philox block and ranges shorter than one
/// vector iteration.
@Suite struct KernelPathTests {
    static let ranges: [(first: UInt64, count: Int)] = [
        (0, 0), (0, 1), (3, 2), (1, 64), (5, 131), (2, 700), (0, 1029),
        ((1 << 32) - 37, 300), ((1 << 40) + 3, 129),
    ]

    static let distributions: [(name: String, params: wi_params)] =
        [("uniform", KernelFill.uniform(-0.3, 0.7)), ("normal", KernelFill.normal(0.1, 0.02))]
        + KernelFill.windows.map { ("truncated [\($0.low), \($0.high)]", KernelFill.truncated(0, 1, $0.low, $0.high)) }
        + [("truncated, bounds between bf16 values", KernelFill.truncated(0.02, 0.3, -0.1001, 0.3333))]

    @Test func someVectorPathIsTested() {
        #if arch(x86_64)
        #expect(KernelFill.vectorPaths.contains(Int32(WI_ISA_SSE2.rawValue)))
        #endif
        // wi_fill refuses a path that is unavailable, so a path listed here is really run.
        for isa in KernelFill.vectorPaths {
            #expect(KernelFill.bytes(KernelFill.normal(0, 1), format: 0, size: 4, first: 0, count: 64, isa: isa) != nil)
        }
    }

    @Test(arguments: KernelFill.vectorPaths)
    func vectorPathMatchesScalar(isa: Int32) {
        let scalar = Int32(WI_ISA_SCALAR.rawValue)
        for (name, params) in Self.distributions {
            for format in KernelFill.formats {
                for (first, count) in Self.ranges {
                    let expected = KernelFill.bytes(params, format: format.code, size: format.size,
                                                    first: first, count: count, isa: scalar)
                    let actual = KernelFill.bytes(params, format: format.code, size: format.size,
                                                  first: first, count: count, isa: isa)
                    #expect(expected != nil)
                    #expect(actual == expected,
                            "path \(isa), \(name), \(format.name), first \(first), count \(count)")
                }
            }
        }
    }

    /// Splitting a range into pieces at arbitrary offsets changes nothing.
    @Test(arguments: KernelFill.vectorPaths)
    func chunkingDoesNotChangeValues(isa: Int32) {
        let params = KernelFill.truncated(0, 1, -1, 1)
        for format in KernelFill.formats {
            let whole = KernelFill.bytes(params, format: format.code, size: format.size, first: 11, count: 2000, isa: isa)!
            var pieces: [UInt8] = []
            var first: UInt64 = 11
            for count in [1, 77, 3, 1024, 895] {
                pieces += KernelFill.bytes(params, format: format.code, size: format.size, first: first,
                                           count: count, isa: isa)!
                first += UInt64(count)
            }
            #expect(pieces == whole, "\(format.name)")
        }
    }
}
