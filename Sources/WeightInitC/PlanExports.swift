import CWeightInit
@_spi(Plumbing) import WeightInit
@_spi(Plumbing) import WeightInitModels

// ABI 1.1's model plans (weightinit.h, "Model plans"), in the header's
// order: each a thin entry that checks its C arguments and calls the public
// models API — ModelPlan(manifest:…)/(config:…), PlannedTensor's fields and
// fill — with RuleSet.load (what `--rules` takes) the one package-level
// hook. Plans live in PlanRegistry; every thrown error becomes a status
// through `reporting`.

@_cdecl("weightinit_plan_create")
public func weightinitPlanCreate(
    _ rules: UnsafePointer<CChar>?, _ variables: UnsafePointer<CChar>?,
    _ tensors: UnsafePointer<weightinit_plan_tensor>?, _ count: Int, _ seed: UInt64,
    _ dtype: weightinit_dtype, _ flags: UInt32, _ plan: UnsafeMutablePointer<OpaquePointer?>?
) -> weightinit_status {
    reporting {
        let rules = try text(try required(rules, "rules"), "rules")
        let list = try required(tensors, "tensors")
        let output = try required(plan, "plan")
        let override = try DType.planned(dtype, "dtype")
        guard flags & ~UInt32(WEIGHTINIT_PLAN_SKIP_UNMATCHED) == 0 else {
            throw ABIFailure(WEIGHTINIT_ERROR_INVALID_ARGUMENT,
                             "invalid flags \(flags): must be 0 or WEIGHTINIT_PLAN_SKIP_UNMATCHED (1)")
        }
        // count is a size_t: shown unsigned.
        guard (1 ... ModelManifest.maximumCount).contains(count) else {
            throw ABIFailure(WEIGHTINIT_ERROR_INVALID_ARGUMENT,
                             "invalid count \(UInt(bitPattern: count)): a plan holds 1 … \(ModelManifest.maximumCount) tensors")
        }
        let manifest = ModelManifest(try (0 ..< count).map { try manifestTensor(list[$0], index: $0) })
        let variables = try variables.map { try text($0, "variables_json") }
        let made: ModelPlan = try planning {
            try ModelPlan(
                manifest: manifest, rules: try ruleSet(rules), seed: seed,
                variables: try variables.map { try RuleValue.variables(json: Array($0.utf8)) } ?? [:],
                dtype: try floatingPoint(override),
                unmatched: flags & UInt32(WEIGHTINIT_PLAN_SKIP_UNMATCHED) != 0 ? .skip : .refuse)
        }
        output.pointee = PlanRegistry.register(PlanHandle(made))
    }
}

@_cdecl("weightinit_plan_create_from_config")
public func weightinitPlanCreateFromConfig(
    _ config: UnsafePointer<CChar>?, _ rules: UnsafePointer<CChar>?, _ seed: UInt64, _ dtype: weightinit_dtype,
    _ plan: UnsafeMutablePointer<OpaquePointer?>?
) -> weightinit_status {
    reporting {
        let config = try text(try required(config, "config"), "config")
        let output = try required(plan, "plan")
        let override = try DType.planned(dtype, "dtype")
        let rules = try rules.map { try text($0, "rules") }
        let made: ModelPlan = try planning {
            let parsed = isJSON(config)
                ? try ModelConfig(json: Array(config.utf8), path: "(config JSON text)")
                : try ModelConfig(path: config)
            return try ModelPlan(config: parsed, rules: try rules.map(ruleSet), seed: seed, dtype: try floatingPoint(override))
        }
        output.pointee = PlanRegistry.register(PlanHandle(made))
    }
}

@_cdecl("weightinit_plan_free")
public func weightinitPlanFree(_ plan: OpaquePointer?) -> weightinit_status {
    reporting {
        guard let plan else { return }
        try PlanRegistry.remove(plan)
    }
}

@_cdecl("weightinit_plan_count")
public func weightinitPlanCount(_ plan: OpaquePointer?, _ count: UnsafeMutablePointer<Int>?) -> weightinit_status {
    reporting {
        let count = try required(count, "count")
        count.pointee = try PlanRegistry.handle(plan).infos.count
    }
}

@_cdecl("weightinit_plan_find")
public func weightinitPlanFind(
    _ plan: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ index: UnsafeMutablePointer<Int>?
) -> weightinit_status {
    reporting {
        let name = try required(name, "name")
        let index = try required(index, "index")
        index.pointee = try position(of: try text(name, "name"), in: try PlanRegistry.handle(plan))
    }
}

@_cdecl("weightinit_plan_tensor_info")
public func weightinitPlanTensorInfo(
    _ plan: OpaquePointer?, _ index: Int, _ info: UnsafeMutablePointer<weightinit_tensor_info>?
) -> weightinit_status {
    reporting {
        let info = try required(info, "info")
        let handle = try PlanRegistry.handle(plan)
        try checkIndex(index, "index", count: handle.infos.count, of: "tensors")
        info.pointee = handle.infos[index]
    }
}

@_cdecl("weightinit_plan_part_info")
public func weightinitPlanPartInfo(
    _ plan: OpaquePointer?, _ index: Int, _ part: Int, _ info: UnsafeMutablePointer<weightinit_part_info>?
) -> weightinit_status {
    reporting {
        let info = try required(info, "info")
        let handle = try PlanRegistry.handle(plan)
        try checkIndex(index, "index", count: handle.infos.count, of: "tensors")
        let parts = handle.parts[index].count
        try checkIndex(part, "part", count: parts, of: parts == 1 ? "part" : "parts",
                       owner: "tensor \(TerminalText.quoted(handle.plan.tensors[index].name)) has")
        info.pointee = handle.parts[index][part]
    }
}

@_cdecl("weightinit_plan_fill")
public func weightinitPlanFill(
    _ plan: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ data: UnsafeMutableRawPointer?, _ sizeBytes: Int,
    _ dtype: weightinit_dtype, _ rank: Int, _ regionStart: UnsafePointer<Int64>?, _ regionStop: UnsafePointer<Int64>?,
    _ threads: Int32
) -> weightinit_status {
    reporting {
        let name = try required(name, "name")
        let data = try required(data, "data")
        let given = try DType.planned(dtype, "dtype")
        guard threads >= 0 else {
            throw ABIFailure(WEIGHTINIT_ERROR_INVALID_ARGUMENT, "invalid threads \(threads): must be ≥ 1, or 0 for every core")
        }
        let handle = try PlanRegistry.handle(plan)
        let tensor = handle.plan.tensors[try position(of: try text(name, "name"), in: handle)]
        guard given == tensor.dtype else {
            throw ABIFailure(WEIGHTINIT_ERROR_INVALID_ARGUMENT,
                             "tensor \(TerminalText.quoted(tensor.name)) is \(tensor.dtype.rawValue), but dtype is \(given?.rawValue ?? "WEIGHTINIT_DTYPE_DEFAULT")")
        }
        let region = try planRegion(of: tensor, rank: rank, start: regionStart, stop: regionStop)
        // A scalar fills as one element (PlannedTensor.fillShape: [] is [1]).
        let filled = region?.shape ?? tensor.fillShape
        let count = try Shape.elementCount(filled, elementSize: tensor.dtype.byteCount)
        guard sizeBytes == count * tensor.dtype.byteCount else {
            throw ABIFailure(
                WEIGHTINIT_ERROR_SIZE_MISMATCH,
                "size_bytes is \(UInt(bitPattern: sizeBytes)), but \(region == nil ? "tensor" : "the block of shape [\(filled.map(String.init).joined(separator: ","))] of") \(TerminalText.quoted(tensor.name))\(region == nil ? " of shape [\(tensor.shape.map(String.init).joined(separator: ","))]" : "") of \(tensor.dtype.rawValue) needs \(count * tensor.dtype.byteCount)")
        }
        let options = FillRequest.options(threads: threads, elements: try Shape.indexCount(tensor.fillShape))
        try tensor.fill(UnsafeMutableRawBufferPointer(start: data, count: sizeBytes), region: region, options: options)
    }
}

// MARK: Arguments

/// `pointer`'s text, or an `INVALID_ARGUMENT` failure naming `argument` if it is not UTF-8.
private func text(_ pointer: UnsafePointer<CChar>, _ argument: String) throws -> String {
    guard let text = String(validatingCString: pointer) else {
        throw ABIFailure(WEIGHTINIT_ERROR_INVALID_ARGUMENT, "\(argument) is not valid UTF-8")
    }
    return text
}

/// Whether `text` is JSON rather than a name or a path: its first character
/// other than a space, tab or line break is `{`.
private func isJSON(_ text: String) -> Bool {
    text.utf8.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } == UInt8(ascii: "{")
}

/// The rule set `rules` names: JSON text, or what `--rules` takes (a built-in name or a rules file's path).
private func ruleSet(_ rules: String) throws -> RuleSet {
    try isJSON(rules) ? RuleSet(json: Array(rules.utf8), name: "(rules JSON text)") : RuleSet.load(rules)
}

/// A plan's dtype override: a floating-point type or none.
private func floatingPoint(_ dtype: DType?) throws -> DType? {
    if let dtype, !dtype.isFloatingPoint {
        throw ABIFailure(WEIGHTINIT_ERROR_INVALID_ENUM,
                         "invalid dtype \(dtype.rawValue): a plan's dtype replaces the floating-point tensors' — give f32, f64, f16, bf16 or WEIGHTINIT_DTYPE_DEFAULT")
    }
    return dtype
}

/// Tensor `index` of `weightinit_plan_create`'s list, checked.
private func manifestTensor(_ tensor: weightinit_plan_tensor, index: Int) throws -> ModelManifest.Tensor {
    let what = "tensors[\(index)]"
    let name = try text(try required(tensor.name, "\(what).name"), "\(what).name")
    guard tensor.rank <= Int(WEIGHTINIT_MAX_RANK) else {
        throw ABIFailure(WEIGHTINIT_ERROR_INVALID_SHAPE,
                         "invalid \(what).rank \(UInt(bitPattern: tensor.rank)): must be in 0…\(WEIGHTINIT_MAX_RANK)")
    }
    let shape = tensor.rank == 0 ? []
        : UnsafeBufferPointer(start: try required(tensor.shape, "\(what).shape"), count: tensor.rank).map { Int($0) }
    if let d = shape.indices.first(where: { shape[$0] < 1 }) {
        throw ABIFailure(WEIGHTINIT_ERROR_INVALID_SHAPE,
                         "invalid \(what).shape: dimension \(d) is \(shape[d]); every dimension must be ≥ 1 (tensor \(TerminalText.quoted(name)))")
    }
    _ = try Shape.indexCount(shape.isEmpty ? [1] : shape)
    return ModelManifest.Tensor(name: name, shape: shape, dtype: try DType.planned(tensor.dtype, "\(what).dtype"))
}

/// Runs `body`, which plans a model: a file the caller named that cannot be
/// used (a rules or config path) is the model's input, as a ModelError is.
private func planning(_ body: () throws -> ModelPlan) throws -> ModelPlan {
    do {
        return try body()
    } catch let error as WeightInitError where error.kind == .invalidInput {
        throw ABIFailure(WEIGHTINIT_ERROR_INVALID_MODEL, error.description)
    }
}

/// The index of the tensor named `name`, or `UNKNOWN_TENSOR`.
private func position(of name: String, in handle: PlanHandle) throws -> Int {
    guard let index = handle.indices[name] else {
        throw ABIFailure(WEIGHTINIT_ERROR_UNKNOWN_TENSOR,
                         "no tensor \(TerminalText.quoted(name)) in the plan (\(handle.infos.count) tensors)")
    }
    return index
}

/// Refuses `index` (a size_t, shown unsigned) outside `0 ..< count`: "invalid part 2: tensor "w" has 1 part (0 … 0)".
private func checkIndex(_ index: Int, _ argument: String, count: Int, of what: String, owner: String = "the plan has") throws {
    guard (0 ..< count).contains(index) else {
        throw ABIFailure(WEIGHTINIT_ERROR_INVALID_ARGUMENT,
                         "invalid \(argument) \(UInt(bitPattern: index)): \(owner) \(count) \(what)"
                             + (count > 0 ? " (0 … \(count - 1))" : ""))
    }
}

/// The block `weightinit_plan_fill` was given, checked against `tensor`; nil: the whole tensor.
private func planRegion(of tensor: PlannedTensor, rank: Int, start: UnsafePointer<Int64>?,
                        stop: UnsafePointer<Int64>?) throws -> TensorRegion? {
    if start == nil, stop == nil { return nil }
    let (start, stop) = (try required(start, "region_start"), try required(stop, "region_stop"))
    guard !tensor.shape.isEmpty else {
        throw ABIFailure(WEIGHTINIT_ERROR_INVALID_REGION,
                         "tensor \(TerminalText.quoted(tensor.name)) is a scalar, which has no block: give region_start and region_stop NULL")
    }
    guard rank == tensor.shape.count else {
        throw ABIFailure(WEIGHTINIT_ERROR_INVALID_REGION,
                         "invalid rank \(UInt(bitPattern: rank)): tensor \(TerminalText.quoted(tensor.name)) has rank \(tensor.shape.count)")
    }
    let lower = UnsafeBufferPointer(start: start, count: rank).map { Int($0) }
    let upper = UnsafeBufferPointer(start: stop, count: rank).map { Int($0) }
    if let d = lower.indices.first(where: { lower[$0] > upper[$0] }) {
        throw ABIFailure(WEIGHTINIT_ERROR_INVALID_REGION,
                         "invalid region: region_start[\(d)] = \(lower[d]) is after region_stop[\(d)] = \(upper[d])")
    }
    let region = TensorRegion(zip(lower, upper).map { $0 ..< $1 })
    do {
        try region.validate(in: tensor.shape)
    } catch let error as WeightInitError {
        throw ABIFailure(WEIGHTINIT_ERROR_INVALID_REGION, "tensor \(TerminalText.quoted(tensor.name)): \(error.description)")
    }
    return region
}
