import WeightInit
import ArgumentParser

/// `weightinit`: the root command; the work happens in its subcommands.
package struct WeightInitCommand: ParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "weightinit",
        abstract: "Write neural-network weight tensors, bit-reproducible from a seed.",
        discussion: """
            Examples:
              weightinit generate orthogonal --shape 512,256 --seed 42 --output w.npy
              weightinit generate kaiming-normal --shape 256,128 --nonlinearity relu \\
                  --output w.npy
              weightinit recommend --activation relu

            Exit status: 0 on success, 64 when the input is wrong (arguments, parameters, \
            files named that are missing, malformed or not regular files), 1 for a failure \
            while working (file system, memory, output streams), 128 + n when signal n \
            (SIGINT 130, SIGTERM 143, SIGHUP 129) ended a write — its temporary file \
            removed, the destination untouched. Errors are one line on stderr.
            """,
        subcommands: [Generate.self, Rules.self, Recommend.self, Stats.self, Propagate.self, Train.self, Bench.self, Clean.self]
    )

    package init() {}
}
