import CWeightInit
@_spi(Plumbing) import WeightInit
@_spi(Plumbing) import WeightInitModels

// The functions of weightinit.h implemented in Swift, in the header's order
// (weightinit_abi_version, weightinit_status_name and weightinit_last_error
// are C, in Sources/CWeightInit). Each is a thin entry: it checks its
// arguments, calls the engine or the scheme table, and turns every thrown
// error into a status through `reporting` — nothing thrown or trapped
// crosses into C. `HeaderSignatures.swift` checks each signature against the
// header at compile time.

@_cdecl("weightinit_stream_format_version")
public func weightinitStreamFormatVersion() -> UInt32 {
    UInt32(StreamFormat.version)
}

@_cdecl("weightinit_scheme_parse")
public func weightinitSchemeParse(
    _ text: UnsafePointer<CChar>?, _ scheme: UnsafeMutablePointer<weightinit_scheme>?
) -> weightinit_status {
    reporting {
        let text = try required(text, "text")
        let output = try required(scheme, "scheme")
        guard let string = String(validatingCString: text) else {
            throw ABIFailure(WEIGHTINIT_ERROR_INVALID_SCHEME, "the scheme text is not valid UTF-8")
        }
        let spec = try SchemeText(parsing: string)
        StoredScheme(entry: try spec.rankEntry(), initializer: try spec.initializer()).store(into: output)
    }
}

@_cdecl("weightinit_scheme_describe")
public func weightinitSchemeDescribe(
    _ scheme: UnsafePointer<weightinit_scheme>?, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int,
    _ length: UnsafeMutablePointer<Int>?
) -> weightinit_status {
    reporting {
        let stored = try StoredScheme(loading: try required(scheme, "scheme"))
        let length = try required(length, "length")
        let text = Array(SchemeEntry.commandLine(for: stored.initializer).utf8)
        // capacity is a size_t: compared and shown unsigned (SIZE_MAX is not -1).
        let capacity = UInt(bitPattern: capacity)
        guard capacity > text.count else {
            // The one output a failing call writes (weightinit.h): the length needed.
            length.pointee = text.count
            throw ABIFailure(WEIGHTINIT_ERROR_BUFFER_TOO_SMALL,
                             "the description needs \(text.count + 1) bytes with its NUL, the buffer holds \(capacity)")
        }
        let buffer = try required(buffer, "buffer")
        text.withUnsafeBytes { UnsafeMutableRawPointer(buffer).copyMemory(from: $0.baseAddress!, byteCount: text.count) }
        buffer[text.count] = 0
        length.pointee = text.count
    }
}

@_cdecl("weightinit_fill")
public func weightinitFill(
    _ scheme: UnsafePointer<weightinit_scheme>?, _ data: UnsafeMutableRawPointer?, _ sizeBytes: Int,
    _ dtype: weightinit_dtype, _ rank: Int, _ shape: UnsafePointer<Int64>?,
    _ layout: weightinit_layout, _ inAxis: Int64, _ outAxis: Int64,
    _ seed: UInt64, _ stream: UInt32, _ threads: Int32
) -> weightinit_status {
    reporting {
        try FillRequest(
            scheme: scheme, data: data, sizeBytes: sizeBytes, dtype: dtype, rank: rank, shape: shape,
            layout: layout, inAxis: inAxis, outAxis: outAxis, seed: seed, stream: stream, threads: threads
        ).run()
    }
}

@_cdecl("weightinit_fill_region")
public func weightinitFillRegion(
    _ scheme: UnsafePointer<weightinit_scheme>?, _ data: UnsafeMutableRawPointer?, _ sizeBytes: Int,
    _ dtype: weightinit_dtype, _ rank: Int, _ shape: UnsafePointer<Int64>?,
    _ regionStart: UnsafePointer<Int64>?, _ regionStop: UnsafePointer<Int64>?,
    _ layout: weightinit_layout, _ inAxis: Int64, _ outAxis: Int64,
    _ seed: UInt64, _ stream: UInt32, _ threads: Int32
) -> weightinit_status {
    // The cancellable fill (ABI 1.1) without a flag: the same checks, the same bytes.
    weightinitFillRegionCancellable(scheme, data, sizeBytes, dtype, rank, shape, regionStart, regionStop, layout,
                                    inAxis, outAxis, seed, stream, threads, nil)
}

@_cdecl("weightinit_shard_range")
public func weightinitShardRange(
    _ index: Int64, _ count: Int64, _ length: Int64,
    _ start: UnsafeMutablePointer<Int64>?, _ stop: UnsafeMutablePointer<Int64>?
) -> weightinit_status {
    reporting {
        let (start, stop) = (try required(start, "start"), try required(stop, "stop"))
        let range = try Shard.range(Int(index), of: Int(count), length: Int(length))
        start.pointee = Int64(range.lowerBound)
        stop.pointee = Int64(range.upperBound)
    }
}

@_cdecl("weightinit_name_stream")
public func weightinitNameStream(
    _ name: UnsafePointer<CChar>?, _ stream: UnsafeMutablePointer<UInt32>?
) -> weightinit_status {
    reporting {
        let name = try tensorName(try required(name, "name"))
        try required(stream, "stream").pointee = PlannedTensor.stream(forName: name)
    }
}

// MARK: ABI 1.1: cancellable fills

@_cdecl("weightinit_fill_region_cancellable")
public func weightinitFillRegionCancellable(
    _ scheme: UnsafePointer<weightinit_scheme>?, _ data: UnsafeMutableRawPointer?, _ sizeBytes: Int,
    _ dtype: weightinit_dtype, _ rank: Int, _ shape: UnsafePointer<Int64>?,
    _ regionStart: UnsafePointer<Int64>?, _ regionStop: UnsafePointer<Int64>?,
    _ layout: weightinit_layout, _ inAxis: Int64, _ outAxis: Int64,
    _ seed: UInt64, _ stream: UInt32, _ threads: Int32, _ cancel: UnsafePointer<Int32>?
) -> weightinit_status {
    reporting {
        try FillRequest(
            scheme: scheme, data: data, sizeBytes: sizeBytes, dtype: dtype, rank: rank, shape: shape,
            bounds: FillRequest.RegionBounds(start: regionStart, stop: regionStop),
            layout: layout, inAxis: inAxis, outAxis: outAxis, seed: seed, stream: stream, threads: threads
        ).cancelled(by: cancel).run()
    }
}

// MARK: ABI 1.1: keys of named tensors (stream format 3)

@_cdecl("weightinit_name_seed")
public func weightinitNameSeed(
    _ seed: UInt64, _ name: UnsafePointer<CChar>?, _ tensorSeed: UnsafeMutablePointer<UInt64>?
) -> weightinit_status {
    reporting {
        let name = try tensorName(try required(name, "name"))
        try required(tensorSeed, "tensor_seed").pointee = PlannedTensor.seed(forName: name, seed: seed)
    }
}

/// A tensor's name, or an `INVALID_ARGUMENT` failure if it is not UTF-8.
private func tensorName(_ name: UnsafePointer<CChar>) throws -> String {
    guard let string = String(validatingCString: name) else {
        throw ABIFailure(WEIGHTINIT_ERROR_INVALID_ARGUMENT, "the name is not valid UTF-8 (a spec's names are)")
    }
    return string
}
