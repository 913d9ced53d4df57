import CLAPACKE
import COpenBLAS

@_spi(Plumbing) extension Float: BLASScalar {
    @_spi(Plumbing) public static var lapackPrefix: String { "s" }

    @_spi(Plumbing) public static func geqrf(m: LAPACKInt, n: LAPACKInt, a: UnsafeMutablePointer<Float>, lda: LAPACKInt,
                             tau: UnsafeMutablePointer<Float>, work: UnsafeMutablePointer<Float>, lwork: LAPACKInt) -> LAPACKInt {
        LAPACKE_sgeqrf_work(LAPACK_COL_MAJOR, m, n, a, lda, tau, work, lwork)
    }

    @_spi(Plumbing) public static func orgqr(m: LAPACKInt, n: LAPACKInt, k: LAPACKInt, a: UnsafeMutablePointer<Float>, lda: LAPACKInt,
                             tau: UnsafePointer<Float>, work: UnsafeMutablePointer<Float>, lwork: LAPACKInt) -> LAPACKInt {
        LAPACKE_sorgqr_work(LAPACK_COL_MAJOR, m, n, k, a, lda, tau, work, lwork)
    }

    @_spi(Plumbing) public static func gelqf(m: LAPACKInt, n: LAPACKInt, a: UnsafeMutablePointer<Float>, lda: LAPACKInt,
                             tau: UnsafeMutablePointer<Float>, work: UnsafeMutablePointer<Float>, lwork: LAPACKInt) -> LAPACKInt {
        LAPACKE_sgelqf_work(LAPACK_COL_MAJOR, m, n, a, lda, tau, work, lwork)
    }

    @_spi(Plumbing) public static func orglq(m: LAPACKInt, n: LAPACKInt, k: LAPACKInt, a: UnsafeMutablePointer<Float>, lda: LAPACKInt,
                             tau: UnsafePointer<Float>, work: UnsafeMutablePointer<Float>, lwork: LAPACKInt) -> LAPACKInt {
        LAPACKE_sorglq_work(LAPACK_COL_MAJOR, m, n, k, a, lda, tau, work, lwork)
    }

    @_spi(Plumbing) public static func gemm(transposeA: Bool, transposeB: Bool, m: LAPACKInt, n: LAPACKInt, k: LAPACKInt,
                            alpha: Float, a: UnsafePointer<Float>, lda: LAPACKInt, b: UnsafePointer<Float>, ldb: LAPACKInt,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: LAPACKInt) {
        cblas_sgemm(CblasColMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    @_spi(Plumbing) public static func syrk(transpose: Bool, n: LAPACKInt, k: LAPACKInt, alpha: Float,
                            a: UnsafePointer<Float>, lda: LAPACKInt, beta: Float, c: UnsafeMutablePointer<Float>, ldc: LAPACKInt) {
        cblas_ssyrk(CblasColMajor, CblasUpper, transpose ? CblasTrans : CblasNoTrans, n, k, alpha, a, lda, beta, c, ldc)
    }
}
