package dev.saestream.model;

import java.util.Arrays;

/**
 * A named tensor in plain Java arrays, row-major: what goes into and comes out of an ONNX
 * Runtime run, so no native memory outlives the run.
 *
 * @param name  the graph input or output name
 * @param shape its dimensions
 * @param data  a {@code float[]}, {@code long[]} or {@code int[]} of the shape's size
 */
record HostTensor(String name, long[] shape, Object data) {
    HostTensor {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        int length;
        if (data instanceof float[] f) {
            length = f.length;
        } else if (data instanceof long[] l) {
            length = l.length;
        } else if (data instanceof int[] i) {
            length = i.length;
        } else {
            throw new IllegalArgumentException("tensor " + name + ": data must be float[], long[] or int[], got "
                    + (data == null ? "null" : data.getClass().getSimpleName()));
        }
        if (length != n) {
            throw new IllegalArgumentException(
                    "tensor " + name + ": shape " + Arrays.toString(shape) + " needs " + n + " values, got " + length);
        }
    }

    float[] floats() {
        if (data instanceof float[] f) {
            return f;
        }
        throw new IllegalStateException(
                "tensor " + name + " holds " + data.getClass().getSimpleName() + ", not float[]");
    }

    long[] longs() {
        if (data instanceof long[] l) {
            return l;
        }
        throw new IllegalStateException(
                "tensor " + name + " holds " + data.getClass().getSimpleName() + ", not long[]");
    }
}
