package dev.saestream.model;

import java.nio.file.Path;

/** Model configs for tests: one cache under target/, shared by every test class, so probes and cuts happen once per build. */
final class TestModels {
    static final Path CACHE = Path.of("target", "test-model-cache");

    private TestModels() {}

    static ModelConfig bundled(String name, String hook) {
        return new ModelConfig(name, null, hook, 0, 32, 8, 2, false, CACHE.toString(), "cpu");
    }

    static float maxAbsDiff(float[] a, int aFrom, float[] b, int bFrom, int n) {
        float max = 0;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, Math.abs(a[aFrom + i] - b[bFrom + i]));
        }
        return max;
    }
}
