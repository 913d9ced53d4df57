/// LAPACK's integer type. Debian's LAPACKE is built with 32-bit `lapack_int`
/// (the LP64 interface), which is what `<lapacke.h>` declares without
/// `LAPACK_ILP64`; dimensions beyond `Int32.max` are rejected as
/// ``WeightInitError/tooLarge(shape:reason:)`` before any call.
@_spi(Plumbing) public typealias LAPACKInt = Int32

/// A real scalar type with BLAS and LAPACK routines: `Float` picks the `s…`
/// routines, `Double` the `d…` ones.
///
/// The requirements are thin, unchecked bindings to the column-major routines
/// of LAPACKE (`LAPACKE_?xxx_work`) and CBLAS, named after them. They return
/// LAPACK's `info` as is; call the LAPACK ones through `LAPACK`, which checks
/// the arguments and turns `info` into ``WeightInitError/lapack(routine:info:)``.
@_spi(Plumbing) public protocol BLASScalar: WeightScalar, BinaryFloatingPoint {
    /// LAPACK's type letter: `"s"` for Float, `"d"` for Double.
    static var lapackPrefix: String { get }

    /// `?geqrf`: A = QR, Householder reflectors below the diagonal, R on and above.
    static func geqrf(m: LAPACKInt, n: LAPACKInt, a: UnsafeMutablePointer<Self>, lda: LAPACKInt,
                      tau: UnsafeMutablePointer<Self>, work: UnsafeMutablePointer<Self>, lwork: LAPACKInt) -> LAPACKInt
    /// `?orgqr`: overwrites the output of `?geqrf` with the first `n` columns of Q.
    static func orgqr(m: LAPACKInt, n: LAPACKInt, k: LAPACKInt, a: UnsafeMutablePointer<Self>, lda: LAPACKInt,
                      tau: UnsafePointer<Self>, work: UnsafeMutablePointer<Self>, lwork: LAPACKInt) -> LAPACKInt
    /// `?gelqf`: A = LQ, Householder reflectors right of the diagonal, L on and below.
    static func gelqf(m: LAPACKInt, n: LAPACKInt, a: UnsafeMutablePointer<Self>, lda: LAPACKInt,
                      tau: UnsafeMutablePointer<Self>, work: UnsafeMutablePointer<Self>, lwork: LAPACKInt) -> LAPACKInt
    /// `?orglq`: overwrites the output of `?gelqf` with the first `m` rows of Q.
    static func orglq(m: LAPACKInt, n: LAPACKInt, k: LAPACKInt, a: UnsafeMutablePointer<Self>, lda: LAPACKInt,
                      tau: UnsafePointer<Self>, work: UnsafeMutablePointer<Self>, lwork: LAPACKInt) -> LAPACKInt

    /// `cblas_?gemm`, column-major: C ← α·op(A)·op(B) + β·C, op(A) m×k, op(B) k×n.
    static func gemm(transposeA: Bool, transposeB: Bool, m: LAPACKInt, n: LAPACKInt, k: LAPACKInt,
                     alpha: Self, a: UnsafePointer<Self>, lda: LAPACKInt, b: UnsafePointer<Self>, ldb: LAPACKInt,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: LAPACKInt)
    /// `cblas_?syrk`, column-major, upper triangle of C: C ← α·op(A)·op(A)ᵀ + β·C,
    /// op(A) n×k (`transpose`: op(A) = Aᵀ, so C ← α·AᵀA + β·C).
    static func syrk(transpose: Bool, n: LAPACKInt, k: LAPACKInt, alpha: Self,
                     a: UnsafePointer<Self>, lda: LAPACKInt, beta: Self, c: UnsafeMutablePointer<Self>, ldc: LAPACKInt)
}
