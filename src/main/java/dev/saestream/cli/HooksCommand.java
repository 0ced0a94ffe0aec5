package dev.saestream.cli;

import dev.saestream.model.HookPoint;
import dev.saestream.model.ModelConfig;
import dev.saestream.model.Transformer;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code saestream hooks}: the hook points found in a model's ONNX graph. */
@Command(
        name = "hooks",
        mixinStandardHelpOptions = true,
        description = "List the hook points of a model: per layer the residual stream before and after the block,"
                + " the attention output and the MLP output, with tensor names and widths.")
public final class HooksCommand implements Callable<Integer> {
    @Mixin
    ConfigOption configOption;

    @Mixin
    ModelOptions model;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ModelConfig config = model.config(configOption.settings());
        List<HookPoint> hooks = Transformer.hooks(config);
        PrintWriter out = spec.commandLine().getOut();
        String id = config.dir() != null ? config.dir() : config.name();
        long layers = hooks.stream().mapToInt(HookPoint::layer).distinct().count();
        out.printf("%s: %d layers, %d hook points%n", id, layers, hooks.size());
        out.printf("%-12s %5s  %-10s %6s  %-24s  %s%n", "alias", "layer", "kind", "width", "SAELens name", "tensor");
        for (HookPoint h : hooks) {
            out.printf(
                    "%-12s %5d  %-10s %6d  %-24s  %s%n",
                    h.alias(),
                    h.layer(),
                    h.kind().name().toLowerCase(Locale.ROOT),
                    h.width(),
                    h.saeLensName(),
                    h.tensor());
        }
        out.flush();
        return ExitCode.OK;
    }
}
