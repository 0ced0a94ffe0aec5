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

    private ExitCode() {}
}
