@_spi(Plumbing) import WeightInit

/// libFuzzer calls this with each input. The readers must either return
/// contents consistent with the input or throw; a crash, a sanitizer report,
/// an allocation beyond libFuzzer's -rss_limit_mb or a hang is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let npy = try? NPY.parse(bytes) {
        // What the reader returns must agree with the input it came from.
        precondition(npy.bytes.count <= size, "NPY returned more bytes than it was given")
        precondition(npy.bytes.count == npy.shape.reduce(1, *) * npy.format.byteCount, "NPY data disagrees with its shape")
    }
    checkSafetensors(bytes)
    _ = try? TensorFile.parse(bytes)
    _ = try? JSONParser.parse(bytes)
    // The same bytes as the header of each format, with a correct length
    // field and some data after it: mutations then reach the header
    // validators directly instead of first having to match the length.
    let data = [UInt8](repeating: 0x3C, count: 64)
    let length = UInt64(size)
    checkSafetensors((0 ..< 8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) } + bytes + data)
    if size < 65536 {
        _ = try? NPY.parse([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(size & 0xFF), UInt8(size >> 8)] + bytes + data)
    }
    return 0
}

private func checkSafetensors(_ bytes: [UInt8]) {
    guard let file = try? Safetensors.parse(bytes) else { return }
    precondition(file.tensors.reduce(0) { $0 + $1.bytes.count } <= bytes.count, "safetensors returned more bytes than it was given")
    for tensor in file.tensors {
        precondition(tensor.bytes.count == tensor.shape.reduce(tensor.format.byteCount, *), "tensor data disagrees with its shape")
        _ = tensor.doubleValues()
    }
}

// SwiftPM links executable targets with `main` aliased to `<module>_main`
// (`--defsym main=ReaderFuzz_main`), which `-parse-as-library` does not
// define. Defining it here as libFuzzer's documented driver entry point
// (`LLVMFuzzerRunDriver`, LLVM ≥ 11) works with or without that alias.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@_cdecl("ReaderFuzz_main")
public func readerFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { fuzz($0, $1) }
}
