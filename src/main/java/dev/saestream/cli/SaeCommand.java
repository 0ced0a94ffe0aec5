package dev.saestream.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code saestream sae encode|train|eval}. */
@Command(
        name = "sae",
        mixinStandardHelpOptions = true,
        description = "Sparse autoencoders: encode activations, train, evaluate (SAELens directories).",
        subcommands = {SaeEncodeCommand.class, SaeTrainCommand.class, SaeEvalCommand.class})
public final class SaeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCode.USAGE;
    }
}
