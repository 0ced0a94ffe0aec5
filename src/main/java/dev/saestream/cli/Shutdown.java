package dev.saestream.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) and SIGTERM for a long-running command. The first signal only asks the command to
 * stop: its loops see {@link #requested()} (or {@link #check()} throws {@link Stopped}), its
 * try-with-resources close Kafka Streams (which checkpoints its state) and flush producers, and it
 * prints what was done and what is left. A second signal forces the exit at once. Actions registered
 * with {@link #onStop} run at the first signal, in registration order, on a thread of their own: they
 * stop what blocks a command's thread in someone else's loop (a service's run loop, a web server, the
 * broker's wait).
 *
 * <p>JVM shutdown hooks cannot tell SIGINT from SIGTERM nor count a second Ctrl-C, hence the signal
 * handlers ({@code sun.misc.Signal}, in the JDK's jdk.unsupported module since 9).
 */
final class Shutdown implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Shutdown.class);
    /** Exit status after SIGINT and SIGTERM: 128 + the signal number, as shells report them. */
    static final int SIGINT_EXIT = 130;

    static final int SIGTERM_EXIT = 143;

    /** Thrown by {@link #check()} once a stop was asked for; commands catch it to print their summary. */
    static final class Stopped extends RuntimeException {
        Stopped() {
            super("stopped by a signal", null, false, false);
        }
    }

    private final CountDownLatch signalled = new CountDownLatch(1);
    private final List<Runnable> onStop = new ArrayList<>();
    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();
    private final PrintWriter err;
    private volatile int exitCode;
    private volatile String stopMessage = "stopping cleanly (Ctrl-C again to force)";

    private Shutdown(PrintWriter err) {
        this.err = err;
    }

    /** Handles SIGINT and SIGTERM until closed; says what a signal does on {@code err} (the command's stderr). */
    static Shutdown install(PrintWriter err) {
        Shutdown s = new Shutdown(err);
        s.handle("INT", SIGINT_EXIT);
        s.handle("TERM", SIGTERM_EXIT);
        return s;
    }

    private void handle(String name, int code) {
        try {
            Signal signal = new Signal(name);
            previous.add(Signal.handle(signal, sig -> signalled(code)));
            signals.add(signal);
        } catch (IllegalArgumentException unsupported) {
            // a platform without this signal (or a JVM run with -Xrs): the default handling stays
            log.debug("cannot handle SIG{}: {}", name, unsupported.getMessage());
        }
    }

    /** What the first signal prints (one line, to stderr). */
    Shutdown message(String message) {
        this.stopMessage = message;
        return this;
    }

    /**
     * Runs {@code action} at the first signal, after those registered before it (at once if a signal
     * came already). Failures are logged and do not stop the actions after it.
     */
    void onStop(Runnable action) {
        boolean now;
        synchronized (this) {
            now = requested();
            if (!now) {
                onStop.add(action);
            }
        }
        if (now) {
            runQuietly(action);
        }
    }

    private static void runQuietly(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            log.warn("stopping {} failed: {}", action, e.toString());
            log.debug("stopping failed", e);
        }
    }

    /** Called on a signal's own thread; also the seam tests use instead of a real signal. */
    void signalled(int code) {
        if (exitCode != 0) {
            err.println("stopping now");
            err.flush();
            Runtime.getRuntime().halt(exitCode);
        }
        List<Runnable> actions;
        synchronized (this) {
            exitCode = code;
            actions = List.copyOf(onStop);
        }
        err.println(stopMessage);
        err.flush();
        signalled.countDown();
        if (!actions.isEmpty()) {
            Thread t = new Thread(() -> actions.forEach(Shutdown::runQuietly), "shutdown");
            t.setDaemon(true);
            t.start();
        }
    }

    boolean requested() {
        return exitCode != 0;
    }

    /** Throws {@link Stopped} once a stop was asked for; cheap, for loops. */
    void check() {
        if (requested()) {
            throw new Stopped();
        }
    }

    /** Blocks until a signal arrives. */
    void await() throws InterruptedException {
        signalled.await();
    }

    /** Blocks until a signal arrives or the time is up; true when signalled. */
    boolean await(long millis) throws InterruptedException {
        return signalled.await(millis, TimeUnit.MILLISECONDS);
    }

    /** 130 after SIGINT, 143 after SIGTERM, else {@code finished} (the command's own status). */
    int exitCode(int finished) {
        return requested() ? exitCode : finished;
    }

    /** Gives SIGINT and SIGTERM back to the JVM's own handling. */
    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
        signals.clear();
    }
}
