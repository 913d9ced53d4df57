import CLAPACKE
import COpenBLAS

@_spi(Plumbing) extension Double: BLASScalar {
    @_spi(Plumbing) public static var lapackPrefix: String { "d" }

    @_spi(Plumbing) public static func geqrf(m: LAPACKInt, n: LAPACKInt, a: UnsafeMutablePointer<Double>, lda: LAPACKInt,
                             tau: UnsafeMutablePointer<Double>, work: UnsafeMutablePointer<Double>, lwork: LAPACKInt) -> LAPACKInt {
        LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, m, n, a, lda, tau, work, lwork)
    }

    @_spi(Plumbing) public static func orgqr(m: LAPACKInt, n: LAPACKInt, k: LAPACKInt, a: UnsafeMutablePointer<Double>, lda: LAPACKInt,
                             tau: UnsafePointer<Double>, work: UnsafeMutablePointer<Double>, lwork: LAPACKInt) -> LAPACKInt {
        LAPACKE_dorgqr_work(LAPACK_COL_MAJOR, m, n, k, a, lda, tau, work, lwork)
    }

    @_spi(Plumbing) public static func gelqf(m: LAPACKInt, n: LAPACKInt, a: UnsafeMutablePointer<Double>, lda: LAPACKInt,
                             tau: UnsafeMutablePointer<Double>, work: UnsafeMutablePointer<Double>, lwork: LAPACKInt) -> LAPACKInt {
        LAPACKE_dgelqf_work(LAPACK_COL_MAJOR, m, n, a, lda, tau, work, lwork)
    }

    @_spi(Plumbing) public static func orglq(m: LAPACKInt, n: LAPACKInt, k: LAPACKInt, a: UnsafeMutablePointer<Double>, lda: LAPACKInt,
                             tau: UnsafePointer<Double>, work: UnsafeMutablePointer<Double>, lwork: LAPACKInt) -> LAPACKInt {
        LAPACKE_dorglq_work(LAPACK_COL_MAJOR, m, n, k, a, lda, tau, work, lwork)
    }

    @_spi(Plumbing) public static func gemm(transposeA: Bool, transposeB: Bool, m: LAPACKInt, n: LAPACKInt, k: LAPACKInt,
                            alpha: Double, a: UnsafePointer<Double>, lda: LAPACKInt, b: UnsafePointer<Double>, ldb: LAPACKInt,
                            beta: Double, c: UnsafeMutablePointer<Double>, ldc: LAPACKInt) {
        cblas_dgemm(CblasColMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    @_spi(Plumbing) public static func syrk(transpose: Bool, n: LAPACKInt, k: LAPACKInt, alpha: Double,
                            a: UnsafePointer<Double>, lda: LAPACKInt, beta: Double, c: UnsafeMutablePointer<Double>, ldc: LAPACKInt) {
        cblas_dsyrk(CblasColMajor, CblasUpper, transpose ? CblasTrans : CblasNoTrans, n, k, alpha, a, lda, beta, c, ldc)
    }
}
