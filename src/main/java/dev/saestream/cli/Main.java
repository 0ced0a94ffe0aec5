package dev.saestream.cli;

import dev.saestream.config.ConfigException;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code saestream <command>}: the one executable. */
@Command(
        name = "saestream",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "A streaming, always-current catalogue of sparse-autoencoder features over Kafka.",
        subcommands = {
            CommandLine.HelpCommand.class,
            RunCommand.class,
            BrokerCommand.class,
            TopicsCommand.class,
            ProduceCommand.class,
            EncodeCommand.class,
            CatalogCommand.class,
            LabelCommand.class,
            ExportCommand.class,
            ServeCommand.class,
            SaeCommand.class,
            HooksCommand.class,
            ActivationsCommand.class,
            BenchCommand.class,
            CompareCommand.class,
            ReprocessCommand.class,
        })
public final class Main implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The command line with every subcommand, for tests and {@link #main}. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        // the defaults the help shows are read when a help is printed, not at every start
        cl.setHelpFactory((spec, colors) -> {
            HelpDefaults.install();
            return new CommandLine.Help(spec, colors);
        });
        cl.setExecutionExceptionHandler(Main::handle);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    public static void main(String[] args) {
        // Models come from jars or local directories, never from the network.
        System.setProperty("ai.djl.offline", "true");
        // The catalog's instances answer each other over the JDK's HTTP server: without this, each
        // small answer waits 40 ms for Nagle's algorithm.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        System.exit(commandLine().execute(args));
    }

    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        String message = userMessage(e);
        if (message != null) {
            cl.getErr().println(cl.getColorScheme().errorText("saestream " + cl.getCommandName() + ": " + message));
            log.debug("command failed", e);
            return ExitCode.ERROR;
        }
        log.error("saestream {} failed unexpectedly", cl.getCommandName(), e);
        return ExitCode.ERROR;
    }

    /** The one sentence to show for errors the user can fix, or null for bugs (shown with their stack). */
    static String userMessage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigException
                    || t instanceof IllegalArgumentException
                    || t instanceof IllegalStateException
                    || t instanceof UncheckedIOException
                    || t instanceof java.io.IOException) {
                return t.getMessage();
            }
        }
        return null;
    }
}
