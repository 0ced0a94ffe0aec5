package dev.saestream.cli;

/** Exit statuses shared by every command. */
public final class ExitCode {
    public static final int OK = 0;
    /** Something failed; the message says what to fix. */
    public static final int ERROR = 1;
    /** The command line itself was wrong (picocli's convention). */
    public static final int USAGE = 2;
    /** The work finished, but some input went to the dead-letter topic. */
    public static final int DEAD_LETTERED = 3;
    /** Stopped by Ctrl-C (SIGINT) or SIGTERM before it had finished: 128 + the signal number. */
    public static final int SIGINT = Shutdown.SIGINT_EXIT;

    public static final int SIGTERM = Shutdown.SIGTERM_EXIT;

    private ExitCode() {}
}
