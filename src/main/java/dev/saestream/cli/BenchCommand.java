package dev.saestream.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code saestream bench}: the benchmarks; each stage adds its own subcommand. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks that print throughput figures and ratios. Run them one at a time on a quiet machine.",
        subcommands = {
            TransformerBenchCommand.class,
            BenchSaeCommand.class,
            PipelineBenchCommand.class,
            BenchCatalogCommand.class,
            BenchCompareCommand.class,
            BenchSaesCommand.class,
            BenchRestoreCommand.class,
            ServeBenchCommand.class,
        })
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
