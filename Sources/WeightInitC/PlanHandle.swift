import CWeightInit
@_spi(Plumbing) import WeightInit
import WeightInitModels

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `weightinit_plan`: a ``ModelPlan`` and, made once when it is created,
/// what `weightinit_plan_tensor_info` and `weightinit_plan_part_info` hand
/// to C — each tensor's name, shape and scheme text as C memory the plan
/// owns, valid until it is freed (weightinit.h, "Ownership"). Never changed
/// after it is made, so any number of threads may read it at once.
final class PlanHandle: @unchecked Sendable {
    let plan: ModelPlan
    /// Per tensor, in the plan's order.
    let infos: [weightinit_tensor_info]
    /// Per tensor, its parts.
    let parts: [[weightinit_part_info]]
    /// Each tensor's index by name.
    let indices: [String: Int]
    /// The C memory the infos point into.
    private let arena: Arena

    init(_ plan: ModelPlan) {
        let arena = Arena()
        var infos: [weightinit_tensor_info] = []
        var parts: [[weightinit_part_info]] = []
        infos.reserveCapacity(plan.tensors.count)
        for tensor in plan.tensors {
            infos.append(weightinit_tensor_info(
                name: arena.text(tensor.name), rank: tensor.shape.count, shape: arena.integers(tensor.shape),
                dtype: tensor.dtype.cValue, scheme: arena.text(tensor.scheme), seed: tensor.stream.seed,
                stream: tensor.stream.stream, part_count: tensor.parts.count))
            parts.append(tensor.parts.map { part in
                weightinit_part_info(
                    rank: part.region.ranges.count, region_start: arena.integers(part.region.ranges.map(\.lowerBound)),
                    region_stop: arena.integers(part.region.ranges.map(\.upperBound)), scheme: arena.text(part.scheme),
                    seed: part.stream.seed, stream: part.stream.stream)
            })
        }
        self.plan = plan
        self.infos = infos
        self.parts = parts
        indices = Dictionary(plan.tensors.enumerated().map { ($1.name, $0) }) { first, _ in first }
        self.arena = arena
    }
}

/// C memory allocated in blocks and freed all at once with the plan: a
/// handful of allocations for a plan of 2¹⁸ tensors, not three per tensor.
private final class Arena: @unchecked Sendable {
    private var blocks: [UnsafeMutableRawPointer] = []
    private var next: UnsafeMutableRawPointer?
    private var left = 0
    private static let blockSize = 1 << 16

    /// `count` bytes aligned to 8, from the current block or a new one.
    private func allocate(_ count: Int) -> UnsafeMutableRawPointer {
        let size = (Swift.max(count, 1) + 7) & ~7
        if size > left {
            let block = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(size, Self.blockSize), alignment: 8)
            blocks.append(block)
            (next, left) = (block, Swift.max(size, Self.blockSize))
        }
        let pointer = next!
        (next, left) = (pointer + size, left - size)
        return pointer
    }

    /// `text` as NUL-terminated UTF-8.
    func text(_ text: String) -> UnsafePointer<CChar> {
        let bytes = Array(text.utf8)
        let pointer = allocate(bytes.count + 1)
        bytes.withUnsafeBytes { pointer.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        pointer.storeBytes(of: 0, toByteOffset: bytes.count, as: UInt8.self)
        return UnsafePointer(pointer.assumingMemoryBound(to: CChar.self))
    }

    /// `values` as int64_t, never NULL (an empty list points at no element).
    func integers(_ values: [Int]) -> UnsafePointer<Int64> {
        let pointer = allocate(values.count * 8).bindMemory(to: Int64.self, capacity: values.count)
        for (index, value) in values.enumerated() { pointer[index] = Int64(value) }
        return UnsafePointer(pointer)
    }

    deinit {
        for block in blocks { block.deallocate() }
    }
}

/// The plans C holds: each live handle by the address handed out, so a
/// pointer the library did not create (or has freed) is refused rather than
/// read, and a call that found a plan keeps it alive until it returns, even
/// if another thread frees it meanwhile.
enum PlanRegistry {
    nonisolated(unsafe) private static let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
        return lock
    }()
    nonisolated(unsafe) private static var live: [OpaquePointer: PlanHandle] = [:]

    private static func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return try body()
    }

    /// Registers `handle`: the pointer C gets for it.
    static func register(_ handle: PlanHandle) -> OpaquePointer {
        let pointer = OpaquePointer(Unmanaged.passUnretained(handle).toOpaque())
        locked { live[pointer] = handle }
        return pointer
    }

    /// The live plan at `pointer`, or a failure.
    static func handle(_ pointer: OpaquePointer?) throws -> PlanHandle {
        let pointer = try required(pointer, "plan")
        guard let handle = locked({ live[pointer] }) else {
            throw ABIFailure(WEIGHTINIT_ERROR_INVALID_ARGUMENT,
                             "plan is not a live weightinit_plan (never created by weightinit_plan_create*, or freed already)")
        }
        return handle
    }

    /// Forgets the plan at `pointer` (its memory goes with the last call still using it).
    static func remove(_ pointer: OpaquePointer) throws {
        guard locked({ live.removeValue(forKey: pointer) }) != nil else {
            throw ABIFailure(WEIGHTINIT_ERROR_INVALID_ARGUMENT,
                             "plan is not a live weightinit_plan (freed already, or never created by weightinit_plan_create*)")
        }
    }
}

extension DType {
    /// The `weightinit_dtype` of this type.
    var cValue: weightinit_dtype {
        switch self {
        case .f32: WEIGHTINIT_F32
        case .f64: WEIGHTINIT_F64
        case .f16: WEIGHTINIT_F16
        case .bf16: WEIGHTINIT_BF16
        case .i64: WEIGHTINIT_I64
        case .i32: WEIGHTINIT_I32
        case .u8: WEIGHTINIT_U8
        case .bool: WEIGHTINIT_BOOL
        }
    }

    /// The type of `dtype`, nil for `WEIGHTINIT_DTYPE_DEFAULT`; `argument`
    /// names it in the failure for a value that is neither.
    static func planned(_ dtype: weightinit_dtype, _ argument: String) throws -> DType? {
        if dtype == WEIGHTINIT_DTYPE_DEFAULT { return nil }
        guard let type = DType.allCases.first(where: { $0.cValue == dtype }) else {
            throw ABIFailure(
                WEIGHTINIT_ERROR_INVALID_ENUM,
                "invalid \(argument) \(Int32(bitPattern: dtype.rawValue)): must be a weightinit_dtype, WEIGHTINIT_F32 … _BOOL (0…7) or WEIGHTINIT_DTYPE_DEFAULT (8)")
        }
        return type
    }
}
