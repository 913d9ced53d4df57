import Testing
import _WeightInitKernels

/// Known answers that freeze the (seed, stream, index) → value mapping of
/// stream format v2, which v3 keeps (StreamFormatSpecification.md; v3 changed
/// only the keys model plans derive from names, whose answers are in
/// WeightInitModelsTests' NamedStreamTests; v1 gave the same values but for
/// sparse, whose answers are in SparseRankingTests): the exact
/// bits of seed 42, stream 0 at indices 0 … 7 and 2⁴⁰ + 3 … 2⁴⁰ + 10. They were
/// computed once from the scalar path; the Philox words, the uniform values
/// (f32 and f64), the normal values to 6 digits and the truncated-normal
/// retries were re-derived from the documented formulas by an independent
/// Python implementation. Changing any of them is a stream-format change:
/// bump WI_STREAM_FORMAT_VERSION (see the stability rule).
@Suite struct StreamFormatTests {
    static let far: UInt64 = (1 << 40) + 3

    func values(_ params: wi_params, format: Int, first: UInt64) -> [UInt8] {
        let f = KernelFill.formats[format]
        return KernelFill.bytes(params, format: f.code, size: f.size, first: first, count: 8,
                                isa: Int32(WI_ISA_SCALAR.rawValue), seed: 42, stream: 0)!
    }

    func bits32(_ bytes: [UInt8]) -> [UInt32] { bytes.withUnsafeBytes { Array($0.bindMemory(to: UInt32.self)) } }
    func bits64(_ bytes: [UInt8]) -> [UInt64] { bytes.withUnsafeBytes { Array($0.bindMemory(to: UInt64.self)) } }
    func bits16(_ bytes: [UInt8]) -> [UInt16] { bytes.withUnsafeBytes { Array($0.bindMemory(to: UInt16.self)) } }

    @Test func versionIsThree() { #expect(WI_STREAM_FORMAT_VERSION == 3) }

    @Test func philoxBlockZeroOfSeed42() {
        var out = [UInt32](repeating: 0, count: 4)
        wi_philox4x32_10([0, 0, 0, 0], [42, 0], &out)
        #expect(out == [0x9CEA_F053, 0x77F5_493B, 0x12BF_50AD, 0x5742_B3D7])
    }

    /// The bits-only fill is the Philox words in order: element i is word i % 4 of block i / 4.
    @Test func bitsAreThePhiloxWords() {
        let bits = wi_params(distribution: Int32(WI_DIST_BITS.rawValue), p0: 0, p1: 0, p2: 0, p3: 0)
        let words = bits32(KernelFill.bytes(bits, format: 0, size: 4, first: 2, count: 8, isa: Int32(WI_ISA_SCALAR.rawValue), seed: 42, stream: 0)!)
        var block0 = [UInt32](repeating: 0, count: 4), block1 = block0, block2 = block0
        wi_philox4x32_10([0, 0, 0, 0], [42, 0], &block0)
        wi_philox4x32_10([1, 0, 0, 0], [42, 0], &block1)
        wi_philox4x32_10([2, 0, 0, 0], [42, 0], &block2)
        #expect(words == Array(block0[2...] + block1 + block2[..<2]))
        #expect(words[..<2] == [0x12BF_50AD, 0x5742_B3D7])
    }

    @Test func uniform() {
        let p = KernelFill.uniform(-1, 1)
        #expect(bits32(values(p, format: 0, first: 0)) == [
            0x3E67_5780, 0xBD80_AB70, 0xBF5A_8160, 0xBEA2_F534, 0x3F79_B642, 0xBEB1_1650, 0x3CE3_D680, 0xBDBB_1FA0])
        #expect(bits32(values(p, format: 0, first: Self.far)) == [
            0xBF42_A592, 0xBF4A_E1F2, 0x3EE5_BBC8, 0xBE0C_F398, 0xBCF0_9DC0, 0x3EE9_5830, 0x3E36_E588, 0xBDF2_9840])
        #expect(bits64(values(p, format: 1, first: 0)) == [
            0xBFB0_156D_88C6_2A20, 0xBFD4_5EA6_1476_A058, 0xBFD6_22C9_8101_9270, 0xBFB7_63F2_08F8_E150,
            0x3FD4_43AE_E5E9_B600, 0x3FE1_8269_5666_935A, 0x3FD5_D786_D5DD_6380, 0xBFCE_F198_0869_E1B0])
        #expect(bits16(values(p, format: 2, first: 0)) == [0x333B, 0xAC05, 0xBAD4, 0xB518, 0x3BCE, 0xB589, 0x271F, 0xADD9])
        #expect(bits16(values(p, format: 3, first: 0)) == [0x3E67, 0xBD81, 0xBF5B, 0xBEA3, 0x3F7A, 0xBEB1, 0x3CE4, 0xBDBB])
    }

    @Test func normal() {
        let p = KernelFill.normal(0, 1)
        #expect(bits32(values(p, format: 0, first: 0)) == [
            0xBF78_5E59, 0x3E46_ACEB, 0xBF9E_28CD, 0x3FF6_433E, 0xBD95_E014, 0x3E0E_79FE, 0xBF8D_A732, 0x3EA7_430A])
        #expect(bits32(values(p, format: 0, first: Self.far)) == [
            0x3F42_F2DA, 0xBEAE_E733, 0xC006_79AD, 0xBFA5_52AA, 0x3DF4_C740, 0xBF2C_C056, 0xBED9_26ED, 0xBF41_5F49])
        #expect(bits64(values(p, format: 1, first: 0)) == [
            0xBFE5_4AC0_3C1A_032A, 0x3FF0_938D_B380_D761, 0xBFF6_F135_C80F_EFCB, 0x3FDB_16FD_5E63_89C7,
            0x3FC1_47F0_A3F6_EDB8, 0xBFEC_F0BB_B759_E22E, 0xBFE4_BE78_21C7_EB85, 0x3FE3_B205_AF57_E138])
        #expect(bits64(values(p, format: 1, first: Self.far)) == [
            0x3F9C_A975_58D9_7DD5, 0xBFFA_EBD6_9D45_7556, 0x4007_2EBE_9B85_308A, 0xBFDA_C1A6_B8BE_7D82,
            0xBFDE_6714_715A_91CA, 0xBFB3_7377_DD21_8C80, 0x3FF1_1B2B_4919_713F, 0xBFDE_33A4_BBAD_48BF])
        #expect(bits16(values(p, format: 2, first: 0)) == [0xBBC3, 0x3235, 0xBCF1, 0x3FB2, 0xACAF, 0x3074, 0xBC6D, 0x353A])
        #expect(bits16(values(p, format: 3, first: 0)) == [0xBF78, 0x3E47, 0xBF9E, 0x3FF6, 0xBD96, 0x3E0E, 0xBF8E, 0x3EA7])
    }

    /// [−2, 2] is method N: equal to the normal except where attempt 0 falls
    /// outside — index 2⁴⁰ + 5 (−2.101…) is replaced by sub-stream 2 (k = 1
    /// gives 2.268…, rejected).
    @Test func truncatedNormalMethodN() {
        let p = KernelFill.truncated(0, 1, -2, 2)
        #expect(bits32(values(p, format: 0, first: 0)) == bits32(values(KernelFill.normal(0, 1), format: 0, first: 0)))
        #expect(bits32(values(p, format: 0, first: Self.far)) == [
            0x3F42_F2DA, 0xBEAE_E733, 0xBED3_6F26, 0xBFA5_52AA, 0x3DF4_C740, 0xBF2C_C056, 0xBED9_26ED, 0xBF41_5F49])
        #expect(bits64(values(p, format: 1, first: Self.far)) == [
            0x3F9C_A975_58D9_7DD5, 0xBFFA_EBD6_9D45_7556, 0xBFF9_2866_C9FC_A701, 0xBFDA_C1A6_B8BE_7D82,
            0xBFDE_6714_715A_91CA, 0xBFB3_7377_DD21_8C80, 0x3FF1_1B2B_4919_713F, 0xBFDE_33A4_BBAD_48BF])
        #expect(bits16(values(p, format: 2, first: Self.far)) == [0x3A18, 0xB577, 0xB69B, 0xBD2B, 0x2FA6, 0xB966, 0xB6C9, 0xBA0B])
    }

    /// [3, ∞) is method E (λ = (3 + √13)/2).
    @Test func truncatedNormalMethodE() {
        let p = KernelFill.truncated(0, 1, 3, .infinity)
        #expect(bits32(values(p, format: 0, first: 0)) == [
            0x4068_22AA, 0x4068_9624, 0x4067_FF4C, 0x4042_FB38, 0x4050_087D, 0x405E_4B2D, 0x404C_7BE4, 0x4043_228A])
        #expect(bits32(values(p, format: 0, first: Self.far)) == [
            0x4040_8360, 0x4056_85C0, 0x4078_E9A4, 0x4042_34FE, 0x4066_83AD, 0x405F_01DC, 0x404C_CBF3, 0x405C_DE1D])
        #expect(bits64(values(p, format: 1, first: 0)) == [
            0x4009_431F_6677_9D84, 0x400A_8442_CE83_4E2D, 0x4009_4489_B5A5_E751, 0x4008_F83C_77B5_0B47,
            0x400A_A001_E7A9_8981, 0x400C_AB45_32B5_FA9B, 0x400A_82E5_0D75_6C38, 0x4008_7150_3E06_8E20])
        #expect(bits16(values(p, format: 3, first: 0)) == [0x4068, 0x4069, 0x4068, 0x4043, 0x4050, 0x405E, 0x404C, 0x4043])
    }
}
