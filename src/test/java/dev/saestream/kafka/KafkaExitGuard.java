package dev.saestream.kafka;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Exit;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Keeps the brokers that tests start in this JVM from ending it. A real broker halts its process on
 * a fatal fault (a log directory gone, a metadata error); in a test JVM that kills the run and its
 * report, and surefire only says the fork exited non-zero. Here such a halt is recorded instead,
 * and printed, with where it came from, when the test run ends, as Kafka's own tests do with
 * {@link Exit#setHaltProcedure}.
 */
public final class KafkaExitGuard implements LauncherSessionListener {
    private static final List<String> CALLS = new ArrayList<>();

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        Exit.setHaltProcedure((code, message) -> record("halt", code, message));
        Exit.setExitProcedure((code, message) -> record("exit", code, message));
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        synchronized (CALLS) {
            for (String call : CALLS) {
                System.err.println(call);
            }
        }
    }

    private static void record(String what, int code, String message) {
        StringWriter where = new StringWriter();
        new Throwable("Kafka asked to " + what + " the JVM with status " + code + ": " + message)
                .printStackTrace(new PrintWriter(where));
        System.err.println(where);
        synchronized (CALLS) {
            CALLS.add(where.toString());
        }
    }
}
