import CWeightInit

// `@_cdecl` exports a Swift function under a C name without comparing it to
// the C declaration of that name. This does: each header declaration,
// imported by the compiler from weightinit.h, must have exactly the type of
// the Swift function exported under its name, or this file does not compile.
// (Swift 6.3's `@c @implementation` checks the same by itself; this works
// with every compiler the package supports.)

private func same<Function>(_ declared: Function, _ implemented: Function) {}

private func checkSignatures() {
    same(CWeightInit.weightinit_stream_format_version, weightinitStreamFormatVersion)
    same(CWeightInit.weightinit_scheme_parse, weightinitSchemeParse)
    same(CWeightInit.weightinit_scheme_describe, weightinitSchemeDescribe)
    same(CWeightInit.weightinit_fill, weightinitFill)
    same(CWeightInit.weightinit_fill_region, weightinitFillRegion)
    same(CWeightInit.weightinit_shard_range, weightinitShardRange)
    same(CWeightInit.weightinit_name_stream, weightinitNameStream)
    // ABI 1.1
    same(CWeightInit.weightinit_fill_region_cancellable, weightinitFillRegionCancellable)
    same(CWeightInit.weightinit_name_seed, weightinitNameSeed)
    // ABI 1.1: model plans
    same(CWeightInit.weightinit_plan_create, weightinitPlanCreate)
    same(CWeightInit.weightinit_plan_create_from_config, weightinitPlanCreateFromConfig)
    same(CWeightInit.weightinit_plan_free, weightinitPlanFree)
    same(CWeightInit.weightinit_plan_count, weightinitPlanCount)
    same(CWeightInit.weightinit_plan_find, weightinitPlanFind)
    same(CWeightInit.weightinit_plan_tensor_info, weightinitPlanTensorInfo)
    same(CWeightInit.weightinit_plan_part_info, weightinitPlanPartInfo)
    same(CWeightInit.weightinit_plan_fill, weightinitPlanFill)
}
