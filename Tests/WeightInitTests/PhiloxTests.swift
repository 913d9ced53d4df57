import Testing
import _WeightInitKernels

@Suite struct PhiloxTests {
    /// Known-answer vectors of Philox4x32-10 (Random123 kat_vectors).
    @Test(arguments: [
        ([0x0000_0000, 0x0000_0000, 0x0000_0000, 0x0000_0000] as [UInt32], [0x0000_0000, 0x0000_0000] as [UInt32],
         [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8] as [UInt32]),
        ([0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff], [0xffff_ffff, 0xffff_ffff],
         [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd]),
        ([0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344], [0xa409_3822, 0x299f_31d0],
         [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1]),
    ])
    func knownAnswer(counter: [UInt32], key: [UInt32], expected: [UInt32]) {
        var out = [UInt32](repeating: 0, count: 4)
        wi_philox4x32_10(counter, key, &out)
        #expect(out == expected)
    }
}
