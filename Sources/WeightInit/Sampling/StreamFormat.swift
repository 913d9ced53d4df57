import _WeightInitKernels

/// The version of the mapping from (seed, stream, index) to values that this
/// build implements (<doc:StreamFormatSpecification>); written into file metadata so a file
/// says which rules produced it.
public enum StreamFormat {
    public static let version = Int(WI_STREAM_FORMAT_VERSION)
}
