import CScaLAPACK
@_spi(Plumbing) import WeightInit

/// A real scalar with ScaLAPACK routines: `Float` picks `ps…`, `Double` `pd…`.
///
/// Thin, unchecked bindings named after the routines (A(1:m, 1:n) of the
/// matrix described by `descriptor`); they return `info` as is.
/// ``DistributedOrthogonal`` calls them and turns `info` into an error.
/// IA = JA = 1 throughout: the submatrix is always the whole matrix.
public protocol ScaLAPACKScalar: WeightScalar, BinaryFloatingPoint, MPIScalar {
    /// The routines' prefix: `"ps"` for Float, `"pd"` for Double.
    static var scalapackPrefix: String { get }

    static func pgeqrf(_ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Self>, _ descriptor: UnsafePointer<Int32>,
                       _ tau: UnsafeMutablePointer<Self>, _ work: UnsafeMutablePointer<Self>, _ lwork: Int32) -> Int32
    static func porgqr(_ m: Int32, _ n: Int32, _ k: Int32, _ a: UnsafeMutablePointer<Self>,
                       _ descriptor: UnsafePointer<Int32>, _ tau: UnsafePointer<Self>,
                       _ work: UnsafeMutablePointer<Self>, _ lwork: Int32) -> Int32
    static func pgelqf(_ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Self>, _ descriptor: UnsafePointer<Int32>,
                       _ tau: UnsafeMutablePointer<Self>, _ work: UnsafeMutablePointer<Self>, _ lwork: Int32) -> Int32
    static func porglq(_ m: Int32, _ n: Int32, _ k: Int32, _ a: UnsafeMutablePointer<Self>,
                       _ descriptor: UnsafePointer<Int32>, _ tau: UnsafePointer<Self>,
                       _ work: UnsafeMutablePointer<Self>, _ lwork: Int32) -> Int32
}


extension Float: ScaLAPACKScalar {
    public static var scalapackPrefix: String { "ps" }

    public static func pgeqrf(_ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Float>, _ descriptor: UnsafePointer<Int32>,
                              _ tau: UnsafeMutablePointer<Float>, _ work: UnsafeMutablePointer<Float>, _ lwork: Int32) -> Int32 {
        var (m, n, lwork, info, ia) = (m, n, lwork, Int32(0), Int32(1))
        psgeqrf_(&m, &n, a, &ia, &ia, descriptor, tau, work, &lwork, &info)
        return info
    }

    public static func porgqr(_ m: Int32, _ n: Int32, _ k: Int32, _ a: UnsafeMutablePointer<Float>,
                              _ descriptor: UnsafePointer<Int32>, _ tau: UnsafePointer<Float>,
                              _ work: UnsafeMutablePointer<Float>, _ lwork: Int32) -> Int32 {
        var (m, n, k, lwork, info, ia) = (m, n, k, lwork, Int32(0), Int32(1))
        psorgqr_(&m, &n, &k, a, &ia, &ia, descriptor, tau, work, &lwork, &info)
        return info
    }

    public static func pgelqf(_ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Float>, _ descriptor: UnsafePointer<Int32>,
                              _ tau: UnsafeMutablePointer<Float>, _ work: UnsafeMutablePointer<Float>, _ lwork: Int32) -> Int32 {
        var (m, n, lwork, info, ia) = (m, n, lwork, Int32(0), Int32(1))
        psgelqf_(&m, &n, a, &ia, &ia, descriptor, tau, work, &lwork, &info)
        return info
    }

    public static func porglq(_ m: Int32, _ n: Int32, _ k: Int32, _ a: UnsafeMutablePointer<Float>,
                              _ descriptor: UnsafePointer<Int32>, _ tau: UnsafePointer<Float>,
                              _ work: UnsafeMutablePointer<Float>, _ lwork: Int32) -> Int32 {
        var (m, n, k, lwork, info, ia) = (m, n, k, lwork, Int32(0), Int32(1))
        psorglq_(&m, &n, &k, a, &ia, &ia, descriptor, tau, work, &lwork, &info)
        return info
    }
}

extension Double: ScaLAPACKScalar {
    public static var scalapackPrefix: String { "pd" }

    public static func pgeqrf(_ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Double>, _ descriptor: UnsafePointer<Int32>,
                              _ tau: UnsafeMutablePointer<Double>, _ work: UnsafeMutablePointer<Double>, _ lwork: Int32) -> Int32 {
        var (m, n, lwork, info, ia) = (m, n, lwork, Int32(0), Int32(1))
        pdgeqrf_(&m, &n, a, &ia, &ia, descriptor, tau, work, &lwork, &info)
        return info
    }

    public static func porgqr(_ m: Int32, _ n: Int32, _ k: Int32, _ a: UnsafeMutablePointer<Double>,
                              _ descriptor: UnsafePointer<Int32>, _ tau: UnsafePointer<Double>,
                              _ work: UnsafeMutablePointer<Double>, _ lwork: Int32) -> Int32 {
        var (m, n, k, lwork, info, ia) = (m, n, k, lwork, Int32(0), Int32(1))
        pdorgqr_(&m, &n, &k, a, &ia, &ia, descriptor, tau, work, &lwork, &info)
        return info
    }

    public static func pgelqf(_ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Double>, _ descriptor: UnsafePointer<Int32>,
                              _ tau: UnsafeMutablePointer<Double>, _ work: UnsafeMutablePointer<Double>, _ lwork: Int32) -> Int32 {
        var (m, n, lwork, info, ia) = (m, n, lwork, Int32(0), Int32(1))
        pdgelqf_(&m, &n, a, &ia, &ia, descriptor, tau, work, &lwork, &info)
        return info
    }

    public static func porglq(_ m: Int32, _ n: Int32, _ k: Int32, _ a: UnsafeMutablePointer<Double>,
                              _ descriptor: UnsafePointer<Int32>, _ tau: UnsafePointer<Double>,
                              _ work: UnsafeMutablePointer<Double>, _ lwork: Int32) -> Int32 {
        var (m, n, k, lwork, info, ia) = (m, n, k, lwork, Int32(0), Int32(1))
        pdorglq_(&m, &n, &k, a, &ia, &ia, descriptor, tau, work, &lwork, &info)
        return info
    }
}
