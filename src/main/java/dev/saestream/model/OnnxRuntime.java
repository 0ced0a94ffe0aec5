package dev.saestream.model;

import ai.djl.engine.Engine;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * The process's one ONNX Runtime, started safely. Every package that runs ONNX Runtime (the
 * transformer through DJL, the SAE encoder and trainer directly, the labeller's embedding model
 * through LangChain4j) gets its environment here.
 */
public final class OnnxRuntime {
    /** DJL's name for its ONNX Runtime engine. */
    static final String ENGINE = "OnnxRuntime";
    /** Room for ONNX Runtime's start-up on command lines of up to a few hundred kilobytes; only touched pages cost memory. */
    private static final long STARTUP_STACK_BYTES = 512L << 20;

    private static boolean started;

    private OnnxRuntime() {}

    /**
     * ONNX Runtime's environment, started once per process on a thread with a large stack, with
     * telemetry off. ONNX Runtime 1.29 matches regular expressions against the process command
     * line when it starts its telemetry, recursing once per character: a long {@code -cp} (the
     * saestream jar's class path) overflows the default 1 MB stack and kills the JVM with no
     * report (microsoft/onnxruntime#32173 is the same code path). Its only off switch before start
     * is the environment variable ORT_DISABLE_TELEMETRY, which Java cannot set for its own process.
     */
    public static synchronized OrtEnvironment environment() {
        if (!started) {
            start();
            started = true;
        }
        return OrtEnvironment.getEnvironment();
    }

    /**
     * Options for a session of this process on the CPU: {@code threads} intra-op threads, one inter-op
     * thread, operators run in order, every graph optimisation. Each call is the caller's to close.
     */
    public static OrtSession.SessionOptions sessionOptions(int threads) throws OrtException {
        environment();
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        try {
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return o;
        } catch (OrtException | RuntimeException e) {
            o.close();
            throw e;
        }
    }

    private static void start() {
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(
                null,
                () -> {
                    try {
                        // DJL's engine creates the environment when it loads; start it here so that DJL and
                        // direct users share the one environment, whichever comes first.
                        Engine.getEngine(ENGINE);
                        OrtEnvironment.getEnvironment().setTelemetry(false);
                    } catch (OrtException | RuntimeException | LinkageError e) {
                        failure[0] = e;
                    }
                },
                "onnxruntime-start",
                STARTUP_STACK_BYTES);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting ONNX Runtime", e);
        }
        if (failure[0] != null) {
            throw new IllegalStateException("cannot start ONNX Runtime: " + failure[0].getMessage(), failure[0]);
        }
    }
}
