@_spi(Plumbing) import WeightInit

/// `--plot`, as `propagate` and `train` take it: an `.svg` path whose
/// directory can take the file, checked before any work so bad input never
/// costs a run or leaves a file.
enum PlotArgument {
    static func check(_ path: String) throws {
        guard path.hasSuffix(".svg") else {
            throw CommandLineError.usage("invalid --plot '\(path)': the plot is an SVG; use a .svg path")
        }
        try AtomicFile.checkDestination(path)
    }
}
