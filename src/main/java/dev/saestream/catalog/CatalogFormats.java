package dev.saestream.catalog;

import dev.saestream.encode.ReconstructionStats;
import dev.saestream.formats.BinaryReader;
import dev.saestream.formats.BinaryWriter;
import dev.saestream.sae.SparseCode;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary forms of the catalogue's internal records (the repartition topic, the state stores):
 * compact and exact (activations as float32). Public topics use JSON instead.
 */
final class CatalogFormats {
    private static final int VERSION = 2;
    /** Windows stored in slots (version 3), each value carrying its rank: version 2 stores keyed them by rank. */
    private static final int WINDOW_VERSION = 3;

    /**
     * A window in the windows store: its rank in its sample (its {@link WindowKeys} rank key after the
     * feature's prefix), its document and where in it.
     */
    record StoredWindow(byte[] rank, String doc, WindowSpan span) {}

    private CatalogFormats() {}

    static byte[] writeDelta(ShardDelta d) {
        BinaryWriter w = new BinaryWriter(256 + d.features().size() * 24);
        w.u8(VERSION).string(d.saeId()).string(d.docId()).varint(d.shard()).varint(d.tokens());
        if (d.recon() == null) {
            w.u8(0);
        } else {
            ReconstructionStats r = d.recon();
            w.u8(1)
                    .varint(r.tokens())
                    .f64(r.squaredError())
                    .f64(r.squaredNorm())
                    .f64(r.cosineSum())
                    .varint(r.clamped());
        }
        if (d.pieces() == null) {
            w.u8(0);
        } else {
            w.u8(1);
            writePiecesBody(w, d.pieces());
        }
        w.varint(d.features().size());
        int prev = 0;
        for (FeatureDelta f : d.features()) {
            w.varint(f.feature() - prev);
            prev = f.feature();
            w.varint(f.activations()).zigzag(f.sumFixed()).f32(f.max()).varint(f.bins().length);
            for (int b = 0; b < f.bins().length; b++) {
                w.varint(f.bins()[b]).varint(f.binCounts()[b]);
            }
            w.varint(f.windows()).varint(f.candidates().size());
            for (WindowCandidate c : f.candidates()) {
                w.i64(c.sampleKey());
                writeSpan(w, c.span());
            }
        }
        w.varint(d.background().size());
        for (BackgroundCandidate b : d.background()) {
            w.i64(b.sampleKey());
            writeBackgroundBody(w, b.window());
        }
        // last and optional, so the deltas logged before facets existed still read
        if (d.facet() != null) {
            w.string(d.facet());
        }
        return w.toByteArray();
    }

    static ShardDelta readDelta(byte[] bytes) {
        BinaryReader r = new BinaryReader(bytes);
        version(r);
        String saeId = r.string();
        String docId = r.string();
        int shard = r.varint();
        int tokens = r.varint();
        ReconstructionStats recon =
                r.u8() == 0 ? null : new ReconstructionStats(r.varint(), r.f64(), r.f64(), r.f64(), r.varint());
        String[] pieces = r.u8() == 0 ? null : readPiecesBody(r);
        int n = r.count(8);
        List<FeatureDelta> features = new ArrayList<>(n);
        int feature = 0;
        for (int i = 0; i < n; i++) {
            feature += r.varint();
            int activations = r.varint();
            long sum = r.zigzag();
            float max = r.f32();
            int nb = r.count(2);
            int[] bins = new int[nb];
            int[] counts = new int[nb];
            for (int b = 0; b < nb; b++) {
                bins[b] = r.varint();
                counts[b] = r.varint();
            }
            int windows = r.varint();
            int nc = r.count(10);
            List<WindowCandidate> candidates = new ArrayList<>(nc);
            for (int c = 0; c < nc; c++) {
                long key = r.i64();
                candidates.add(new WindowCandidate(readSpan(r), key));
            }
            features.add(new FeatureDelta(feature, activations, sum, max, bins, counts, windows, candidates));
        }
        int nbg = r.count(10);
        List<BackgroundCandidate> background = new ArrayList<>(nbg);
        for (int i = 0; i < nbg; i++) {
            long key = r.i64();
            background.add(new BackgroundCandidate(readBackgroundBody(r, saeId, docId), key));
        }
        String facet = r.atEnd() ? null : r.string();
        end(r);
        if (facet != null) {
            // written once per delta, not per background window
            background.replaceAll(b -> new BackgroundCandidate(b.window().withFacet(facet), b.sampleKey()));
        }
        return new ShardDelta(saeId, docId, shard, tokens, recon, pieces, features, background, facet);
    }

    static byte[] writeStored(byte[] rank, String doc, WindowSpan span) {
        BinaryWriter out = new BinaryWriter(40 + rank.length + doc.length() + span.offsets().length * 6);
        out.u8(WINDOW_VERSION).varint(rank.length).bytes(rank).string(doc);
        writeSpan(out, span);
        return out.toByteArray();
    }

    static StoredWindow readStored(byte[] bytes) {
        BinaryReader r = new BinaryReader(bytes);
        int v = r.u8();
        if (v != WINDOW_VERSION) {
            throw new StateFormatException(
                    "a stored window of format " + v + " (this saestream reads " + WINDOW_VERSION + ")");
        }
        byte[] rank = r.bytes(r.count(1));
        String doc = r.string();
        WindowSpan span = readSpan(r);
        end(r);
        return new StoredWindow(rank, doc, span);
    }

    static byte[] writePieces(String[] pieces) {
        BinaryWriter out = new BinaryWriter(16 + pieces.length * 8);
        out.u8(VERSION);
        writePiecesBody(out, pieces);
        return out.toByteArray();
    }

    static String[] readPieces(byte[] bytes) {
        BinaryReader r = new BinaryReader(bytes);
        version(r);
        String[] pieces = readPiecesBody(r);
        end(r);
        return pieces;
    }

    private static void writePiecesBody(BinaryWriter w, String[] pieces) {
        w.varint(pieces.length);
        for (String p : pieces) {
            w.string(p);
        }
    }

    private static String[] readPiecesBody(BinaryReader r) {
        int n = r.count(1);
        String[] pieces = new String[n];
        for (int i = 0; i < n; i++) {
            pieces[i] = r.string();
        }
        return pieces;
    }

    private static void writeSpan(BinaryWriter w, WindowSpan s) {
        w.varint(s.peak()).varint(s.first()).varint(s.length()).varint(s.offsets().length);
        for (int o : s.offsets()) {
            w.varint(o);
        }
        for (float v : s.values()) {
            w.f32(v);
        }
    }

    private static WindowSpan readSpan(BinaryReader r) {
        int peak = r.varint();
        int first = r.varint();
        int length = r.varint();
        int n = r.count(5);
        int[] offsets = new int[n];
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            offsets[i] = r.varint();
        }
        for (int i = 0; i < n; i++) {
            values[i] = r.f32();
        }
        return new WindowSpan(peak, first, length, offsets, values);
    }

    static byte[] writeBackground(BackgroundWindow b) {
        BinaryWriter out = new BinaryWriter(64 + b.tokens().length * 64);
        out.u8(VERSION).string(b.saeId()).string(b.doc());
        writeBackgroundBody(out, b);
        // last and optional, so the windows stored before facets existed still read
        if (b.facet() != null) {
            out.string(b.facet());
        }
        return out.toByteArray();
    }

    static BackgroundWindow readBackground(byte[] bytes) {
        BinaryReader r = new BinaryReader(bytes);
        version(r);
        String saeId = r.string();
        String doc = r.string();
        BackgroundWindow b = readBackgroundBody(r, saeId, doc);
        String facet = r.atEnd() ? null : r.string();
        end(r);
        return facet == null ? b : b.withFacet(facet);
    }

    private static void writeBackgroundBody(BinaryWriter w, BackgroundWindow b) {
        w.varint(b.first()).varint(b.tokens().length);
        for (int i = 0; i < b.tokens().length; i++) {
            SparseCode c = b.codes()[i];
            w.string(b.tokens()[i]).varint(c.size());
            for (int j = 0; j < c.size(); j++) {
                w.varint(c.indices()[j]).f32(c.values()[j]);
            }
        }
    }

    private static BackgroundWindow readBackgroundBody(BinaryReader r, String saeId, String doc) {
        int first = r.varint();
        int n = r.count(2);
        String[] tokens = new String[n];
        SparseCode[] codes = new SparseCode[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = r.string();
            int k = r.count(5);
            int[] idx = new int[k];
            float[] val = new float[k];
            for (int j = 0; j < k; j++) {
                idx[j] = r.varint();
                val[j] = r.f32();
            }
            codes[i] = new SparseCode(idx, val);
        }
        return new BackgroundWindow(saeId, doc, first, tokens, codes, null);
    }

    private static void version(BinaryReader r) {
        int v = r.u8();
        if (v != VERSION) {
            throw new IllegalArgumentException("catalog record version " + v + " is not supported");
        }
    }

    private static void end(BinaryReader r) {
        if (!r.atEnd()) {
            throw new IllegalArgumentException("catalog record has trailing bytes at offset " + r.position());
        }
    }
}
