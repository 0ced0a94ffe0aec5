package dev.saestream.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * JSON Lines in gzip batch files {@code batch-0.jsonl.gz}, {@code batch-1.jsonl.gz}, … in one
 * folder, as Neuronpedia's export writes them: a new file every {@code rowsPerBatch} rows, or
 * when {@link #roll} is called (for activations, whose batches follow the features'). An empty
 * batch gets no file.
 */
final class BatchWriter implements Closeable {
    private final Path dir;
    private final int rowsPerBatch;
    private final ObjectMapper mapper;
    private OutputStream out;
    private int batch;
    private int rowsInBatch;
    private long rows;
    private long bytes;
    private int files;

    /** {@code rowsPerBatch} 0: only {@link #roll} starts a new file. */
    BatchWriter(Path dir, int rowsPerBatch, ObjectMapper mapper) {
        this.dir = dir;
        this.rowsPerBatch = rowsPerBatch;
        this.mapper = mapper;
    }

    void write(Object row) throws IOException {
        if (out != null && rowsPerBatch > 0 && rowsInBatch == rowsPerBatch) {
            roll();
        }
        if (out == null) {
            Files.createDirectories(dir);
            out = new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(file(batch)), 1 << 16), 1 << 16);
        }
        out.write(mapper.writeValueAsBytes(row));
        out.write('\n');
        rowsInBatch++;
        rows++;
    }

    /**
     * Ends the current batch: its file, if any rows went into it, is closed, and the next row
     * starts the next batch number (so batch numbers stay aligned with another writer's even when
     * a batch is empty).
     */
    void roll() throws IOException {
        if (out != null) {
            out.close();
            out = null;
            bytes += Files.size(file(batch));
            files++;
        }
        batch++;
        rowsInBatch = 0;
    }

    long rows() {
        return rows;
    }

    long bytes() {
        return bytes;
    }

    int files() {
        return files;
    }

    private Path file(int n) {
        return dir.resolve("batch-" + n + ".jsonl.gz");
    }

    @Override
    public void close() throws IOException {
        roll();
    }
}
