import WeightInit

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
    if let file = try? Safetensors.parse(bytes) {
        precondition(file.tensors.reduce(0) { $0 + $1.bytes.count } <= size, "safetensors returned more bytes than it was given")
        for tensor in file.tensors {
            precondition(tensor.bytes.count == tensor.shape.reduce(tensor.format.byteCount, *), "tensor data disagrees with its shape")
            _ = tensor.doubleValues()
        }
    }
    _ = try? TensorFile.parse(bytes)
    _ = try? JSONParser.parse(bytes)
    return 0
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
