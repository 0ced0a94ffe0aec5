package dev.saestream.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.util.Locale;

/**
 * Where ONNX Runtime runs the transformer and the SAE head ({@code model.device}): the CPU, or GPU
 * {@code cuda} through ONNX Runtime's CUDA execution provider. Only the session options differ:
 * inputs and outputs stay host arrays, and ONNX Runtime copies them to and from the GPU.
 *
 * @param cuda the CUDA device number, or -1 for the CPU
 */
record OnnxDevice(int cuda) {
    static final OnnxDevice CPU = new OnnxDevice(-1);

    /** {@code cpu}, {@code cuda} (device 0) or {@code cuda:N}, in any case; blank means cpu. */
    static OnnxDevice parse(String spec) {
        String s = spec == null ? "" : spec.strip().toLowerCase(Locale.ROOT);
        if (s.isEmpty() || s.equals("cpu")) {
            return CPU;
        }
        if (s.equals("cuda")) {
            return new OnnxDevice(0);
        }
        if (s.startsWith("cuda:")
                && s.length() > 5
                && s.substring(5).chars().allMatch(Character::isDigit)
                && s.length() <= 9) {
            return new OnnxDevice(Integer.parseInt(s.substring(5)));
        }
        throw new IllegalArgumentException(
                "model.device must be cpu, cuda or cuda:N (a GPU number), got '" + spec + "'");
    }

    boolean gpu() {
        return cuda >= 0;
    }

    @Override
    public String toString() {
        return gpu() ? "cuda:" + cuda : "cpu";
    }

    /**
     * Fails unless this device can run: on a GPU, ONNX Runtime's CUDA execution provider must be in
     * the native library on the class path. Checked before any model is loaded, so that a wrong
     * set-up fails at once rather than after minutes of preparing a graph for the CPU.
     */
    void requireAvailable() {
        if (!gpu()) {
            return;
        }
        OnnxRuntime.environment();
        var providers = OrtEnvironment.getAvailableProviders();
        if (!providers.contains(OrtProvider.CUDA)) {
            throw new IllegalStateException("model.device=" + this + ": ONNX Runtime's CUDA execution provider is not"
                    + " available (providers here: " + providers + "); the onnxruntime jar on the class path is the CPU"
                    + " build. For a GPU, put com.microsoft.onnxruntime:onnxruntime_gpu in place of"
                    + " com.microsoft.onnxruntime:onnxruntime, same version (Linux or Windows x64, with CUDA 12 and cuDNN 9),"
                    + " or set model.device=cpu");
        }
    }

    /** Adds this device's execution provider to {@code options} (nothing for the CPU). */
    void addTo(OrtSession.SessionOptions options) throws IOException {
        if (!gpu()) {
            return;
        }
        requireAvailable();
        try {
            options.addCUDA(cuda);
        } catch (OrtException e) {
            // the GPU build is there but CUDA, cuDNN or the GPU itself is not
            throw new IOException(
                    "model.device=" + this + ": ONNX Runtime's CUDA execution provider did not start ("
                            + e.getMessage()
                            + "); it needs an NVIDIA GPU with that number and CUDA 12 and cuDNN 9 libraries"
                            + " on the library path",
                    e);
        }
    }
}
