/// The file formats the tool writes and reads.
public enum TensorFileFormat: String, CaseIterable, Sendable {
    case npy, safetensors

    /// The format a path's extension names (`.npy`, `.safetensors`), if any.
    public init?(path: String) {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        self.init(rawValue: String(path[path.index(after: dot)...]).lowercased())
    }
}
