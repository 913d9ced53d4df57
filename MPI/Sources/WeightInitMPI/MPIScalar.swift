import CMPI
@_spi(Plumbing) import WeightInit

/// A Swift type with a predefined MPI datatype of the same layout.
public protocol MPIScalar {
    static var mpiDatatype: MPI_Datatype { get }
}

extension UInt8: MPIScalar { public static var mpiDatatype: MPI_Datatype { cmpi_byte() } }
extension Int32: MPIScalar { public static var mpiDatatype: MPI_Datatype { cmpi_int() } }
extension Int64: MPIScalar { public static var mpiDatatype: MPI_Datatype { cmpi_int64() } }
extension Float: MPIScalar { public static var mpiDatatype: MPI_Datatype { cmpi_float() } }
extension Double: MPIScalar { public static var mpiDatatype: MPI_Datatype { cmpi_double() } }

extension DType {
    /// The MPI datatype files of this dtype are written with. Half-precision
    /// types have none in MPI 3; a 16-bit integer moves their bits unchanged.
    public var mpiDatatype: MPI_Datatype {
        switch self {
        case .f32: cmpi_float()
        case .f64: cmpi_double()
        case .f16, .bf16: cmpi_uint16()
        case .i64: cmpi_int64()
        case .i32: cmpi_int()
        case .u8, .bool: cmpi_byte()
        }
    }
}

/// The reductions ``MPISession/allreduce(_:_:)`` offers.
public enum MPIReduction: Sendable {
    case sum, max, min

    var op: MPI_Op {
        switch self {
        case .sum: cmpi_sum()
        case .max: cmpi_max()
        case .min: cmpi_min()
        }
    }
}
