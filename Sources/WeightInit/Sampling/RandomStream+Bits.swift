import _WeightInitKernels

@_spi(Plumbing)
extension RandomStream {
    /// The Philox4x32-10 words of this stream themselves: element `i` is word
    /// `i % 4` of main-stream block `i / 4` (<doc:StreamFormatSpecification>),
    /// stored as it is — the words a uniform `Float` fill turns into values.
    ///
    /// Not a distribution: the limit a fill is measured against. It runs
    /// exactly as ``fill(_:with:startIndex:options:)-(UnsafeMutableBufferPointer<T>,_,_,_)``
    /// does — same kernel path (`options.path`), same head and tail handling,
    /// same chunks and threads — and only leaves out turning words into values,
    /// so "fill ÷ bits" is what that turning costs.
    ///
    /// - Throws: ``WeightInitError/invalidParameter(_:value:reason:)`` for a
    ///   bad thread count, chunk size or index range;
    ///   ``WeightInitError/kernelUnavailable(_:)`` if `options.path` cannot
    ///   run here. Nothing is written when it throws.
    public func _fillBits(_ buffer: UnsafeMutableBufferPointer<UInt32>, startIndex: UInt64 = 0,
                          options: FillOptions = FillOptions()) throws {
        let (threads, chunkSize) = try options.validatedSplit()
        let isa = try options.path.resolvedKernelISA()
        let count = buffer.count
        guard count == 0 || UInt64(count - 1) <= UInt64.max - startIndex else {
            throw WeightInitError.invalidParameter(
                "startIndex", value: "\(startIndex)", reason: "startIndex + count (\(count)) must be ≤ 2⁶⁴")
        }
        guard let base = buffer.baseAddress, count > 0 else { return }
        let address = UInt(bitPattern: base)
        parallelChunks(count: count, threads: threads, chunkSize: chunkSize, serialThreshold: options.serialThreshold) {
            first, count in
            words(UnsafeMutablePointer(bitPattern: address + UInt(first * 4))!, count: count,
                  startIndex: startIndex + UInt64(first), subStream: 0, isa: isa)
        }
    }
}

extension RandomStream {
    /// Words `startIndex ..< startIndex + count` of sub-stream `subStream`
    /// into `words`, on this thread: element `i` is word `i % 4` of block
    /// `i / 4` (counter `(block lo, block hi, stream, subStream)`) — the
    /// layout of the main stream's words, for index-addressable keys such
    /// as sparse's ranking. `isa` is a resolved kernel path
    /// (``KernelPath/resolvedKernelISA()``); the range must end by 2⁶⁴.
    func words(_ words: UnsafeMutablePointer<UInt32>, count: Int, startIndex: UInt64, subStream: UInt32, isa: Int32) {
        var params = wi_params()
        params.distribution = Int32(WI_DIST_BITS.rawValue)
        params.p0 = Double(subStream)
        let status = wi_fill(words, Int32(WI_FORMAT_F32.rawValue), startIndex, count, seed, stream, &params, isa)
        precondition(status == 0, "wi_fill refused the words of a checked path (status \(status))")
    }

    /// Word `index % 4` of block `index / 4` of sub-stream `subStream` (see
    /// ``words(_:count:startIndex:subStream:isa:)``), by the scalar reference.
    func word(at index: UInt64, subStream: UInt32) -> UInt32 {
        let w = philoxBlock(index / 4, subStream: subStream)
        switch index % 4 {
        case 0: return w.0
        case 1: return w.1
        case 2: return w.2
        default: return w.3
        }
    }
}
