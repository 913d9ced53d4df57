@_spi(Plumbing) import WeightInit
@_spi(Plumbing) import WeightInitModels

/// libFuzzer calls this with each input. The readers and the spec parser
/// must either return results consistent with the input or throw an error
/// whose message is one safe line (see `checkMessage`); a crash, a sanitizer
/// report, a failed precondition, an allocation beyond libFuzzer's
/// -rss_limit_mb or a hang is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let npy = try NPY.parse(bytes)
        // What the reader returns must agree with the input it came from.
        precondition(npy.bytes.count <= size, "NPY returned more bytes than it was given")
        precondition(npy.bytes.count == npy.shape.reduce(1, *) * npy.dtype.byteCount, "NPY data disagrees with its shape")
    } catch {
        checkMessage(error)
    }
    checkSafetensors(bytes)
    _ = try? TensorFile.parse(bytes)
    _ = try? JSONParser.parse(bytes)
    checkSpec(bytes)
    // The same bytes as the header of each format, with a correct length
    // field and some data after it: mutations then reach the header
    // validators directly instead of first having to match the length.
    let data = [UInt8](repeating: 0x3C, count: 64)
    let length = UInt64(size)
    checkSafetensors((0 ..< 8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) } + bytes + data)
    if size < 65536 {
        do {
            _ = try NPY.parse([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(size & 0xFF), UInt8(size >> 8)] + bytes + data)
        } catch {
            checkMessage(error)
        }
    }
    return 0
}

private func checkSafetensors(_ bytes: [UInt8]) {
    let file: Safetensors.Contents
    do { file = try Safetensors.parse(bytes) } catch {
        checkMessage(error)
        return
    }
    precondition(file.tensors.reduce(0) { $0 + $1.bytes.count } <= bytes.count, "safetensors returned more bytes than it was given")
    for tensor in file.tensors {
        precondition(tensor.bytes.count == tensor.shape.reduce(tensor.dtype.byteCount, *), "tensor data disagrees with its shape")
        _ = tensor.doubleValues()
    }
}

/// The model spec parser (`weightinit generate --spec`): every tensor it
/// plans has a name and a shape of positive dimensions; every error it
/// throws is about the input (kind invalidInput) and has a safe message.
private func checkSpec(_ bytes: [UInt8]) {
    do {
        for tensor in try ModelSpec.plan(bytes: bytes, source: "fuzz.json").tensors {
            precondition(!tensor.name.isEmpty && tensor.shape.allSatisfy { $0 >= 1 }, "a tensor without a name, or with an empty dimension")
        }
    } catch {
        precondition((error as? any KindedError)?.kind == .invalidInput, "a spec error that is not an input error: \(error)")
        checkMessage(error)
    }
}

/// What reaches the terminal: no character a terminal would act on, and
/// short, whatever the input echoes.
private func checkMessage(_ error: any Error) {
    let message = String(describing: error)
    precondition(!message.unicodeScalars.contains(where: TerminalText.isUnsafe), "unescaped text in: \(message.debugDescription)")
    precondition(message.unicodeScalars.count <= 2000, "a \(message.unicodeScalars.count)-character message")
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
