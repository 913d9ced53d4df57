import ArgumentParser

/// `weightinit`: the root command; the work happens in its subcommands.
public struct WeightInitCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "weightinit",
        abstract: "Write neural-network weight tensors, bit-reproducible from a seed.",
        discussion: """
            Examples:
              weightinit generate orthogonal --shape 512,256 --seed 42 --output w.npy
              weightinit generate kaiming-normal --shape 256,128 --nonlinearity relu \\
                  --output w.npy
              weightinit recommend --activation relu

            Exit status: 0 on success, 64 for invalid arguments, 1 for a failure while \
            generating or writing. Errors are one line on stderr.
            """,
        subcommands: [Generate.self, Recommend.self, Stats.self, Propagate.self, Train.self, Bench.self]
    )

    public init() {}
}
