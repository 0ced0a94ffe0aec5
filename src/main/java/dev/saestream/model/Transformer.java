package dev.saestream.model;

import dev.saestream.model.onnx.Onnx.ModelProto;
import dev.saestream.model.onnx.Onnx.TensorProto;
import dev.saestream.model.onnx.Onnx.ValueInfoProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transformer run up to one hook point: texts in, per-token activations out. The ONNX graph is
 * cut after the hook, so later layers cost nothing; an optional {@link Head} runs after the hook
 * in the same session. Long texts are split into overlapping windows of the model's length and
 * put back together in document order. {@link #splice} runs the rest of the graph from the hook
 * with replaced activations, for SAE evaluation.
 *
 * <p>A text's results never depend on the other texts it is batched with: windows are right-padded
 * under an attention mask, and models that quantize activations dynamically (one scale for the
 * whole batch tensor, as the {@code -q} models do) run one window at a time.
 *
 * <p>Thread-safe: one instance may serve several threads; each call runs its own DJL predictor
 * over the shared ONNX Runtime session.
 */
public final class Transformer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Transformer.class);

    private final ModelConfig config;
    private final ModelStore store;
    private final ModelInfo info;
    private final HookPoint hook;
    private final Head head;
    private final TextTokenizer tokenizer;
    private final OnnxSession session;
    private final int maxTokens;
    private final int windowSize;
    private final Set<String> fetch;
    private final int batchSize;
    private OnnxSession spliceSession;

    private Transformer(
            ModelConfig config,
            ModelStore store,
            ModelInfo info,
            HookPoint hook,
            Head head,
            TextTokenizer tokenizer,
            OnnxSession session,
            int maxTokens) {
        this.config = config;
        this.store = store;
        this.info = info;
        this.hook = hook;
        this.head = head;
        this.tokenizer = tokenizer;
        this.session = session;
        this.maxTokens = maxTokens;
        this.windowSize =
                maxTokens - tokenizer.prefix().size() - tokenizer.suffix().size();
        Set<String> f = new LinkedHashSet<>();
        if (head == null || head.keepActivations()) {
            f.add(hook.tensor());
        }
        if (head != null) {
            f.addAll(head.outputNames());
        }
        this.fetch = Set.copyOf(f);
        // Results must not depend on which texts share a batch: the catalogue's top-k must equal a batch pass.
        this.batchSize = info.batchCoupled() ? 1 : config.batchSize();
        if (info.batchCoupled() && config.batchSize() > 1) {
            log.info(
                    "{} quantizes activations with one scale per batch, so it runs one window at a time"
                            + " (model.batchSize {} is not used)",
                    info.modelId(),
                    config.batchSize());
        }
    }

    /** Opens the configured model cut after the configured hook. */
    public static Transformer open(ModelConfig config) throws IOException {
        return open(config, null);
    }

    /** Opens the configured model cut after the configured hook, with {@code head} appended after it (null for none). */
    public static Transformer open(ModelConfig config, Head head) throws IOException {
        OnnxDevice device = config.onnxDevice();
        device.requireAvailable();
        ModelStore store = ModelStore.open(ModelSource.of(config), config.cachePath());
        ModelInfo info = store.info(config.threadCount());
        HookPoint hook = info.hook(config.hook());
        int maxTokens = maxTokens(config, info);
        TextTokenizer tokenizer = TextTokenizer.open(store.tokenizer());
        OnnxSession session = null;
        try {
            int specials = tokenizer.prefix().size() + tokenizer.suffix().size();
            if (maxTokens - specials <= config.overlap()) {
                throw new IllegalArgumentException("model.overlap (" + config.overlap() + ") must be smaller than the "
                        + (maxTokens - specials) + " text tokens a window of " + maxTokens + " holds");
            }
            if (head == null) {
                session = OnnxSession.open(store.cut(hook), config.threadCount(), device);
            } else {
                ModelProto cut = OnnxGraph.load(store.cut(hook));
                byte[] withHead = OnnxGraph.appendHead(cut, hook.tensor(), head).toByteArray();
                session = OnnxSession.open(
                        withHead, info.modelId() + "-" + hook.alias() + "-head", config.threadCount(), device);
            }
            log.info(
                    "{} at {} ({}, width {}), windows of {} tokens",
                    info.modelId(),
                    hook.alias(),
                    hook.tensor(),
                    hook.width(),
                    maxTokens);
            return new Transformer(config, store, info, hook, head, tokenizer, session, maxTokens);
        } catch (IOException | RuntimeException e) {
            tokenizer.close();
            if (session != null) {
                session.close();
            }
            throw e;
        }
    }

    /** Every hook point of the configured model, without opening it for inference. */
    public static List<HookPoint> hooks(ModelConfig config) throws IOException {
        return ModelStore.open(ModelSource.of(config), config.cachePath())
                .info(config.threadCount())
                .hooks();
    }

    public HookPoint hook() {
        return hook;
    }

    public List<HookPoint> hooks() {
        return info.hooks();
    }

    public int width() {
        return hook.width();
    }

    /** The model's id, stable across runs and machines: the bundled name or the directory's name. */
    public String modelId() {
        return info.modelId();
    }

    /** Tokens per window, special tokens included. */
    public int maxTokens() {
        return maxTokens;
    }

    /** The default ONNX operator set version of the model; head nodes must be valid in it. */
    public long opset() {
        return info.opset();
    }

    /**
     * Each text's tokens and hook activations, in document order, special tokens left out unless
     * configured. An empty text gives zero tokens.
     */
    public List<TokenActivations> extract(List<String> texts) {
        List<TextTokenizer.Encoded> encoded = tokenizer.encode(texts);
        List<Layout> docs = new ArrayList<>(texts.size());
        List<Job> jobs = new ArrayList<>();
        for (int d = 0; d < texts.size(); d++) {
            Layout doc = new Layout();
            docs.add(doc);
            TextTokenizer.Encoded e = encoded.get(d);
            for (Windows.Window w : Windows.plan(e.size(), windowSize, config.overlap())) {
                jobs.add(doc.add(d, e, w, tokenizer.prefix(), tokenizer.suffix(), config.includeSpecialTokens()));
            }
        }
        for (Layout doc : docs) {
            doc.allocate(fetch.contains(hook.tensor()) ? hook.width() : 0, head);
        }
        run(
                session,
                jobs,
                fetch,
                null,
                (job, out, row, length) -> docs.get(job.doc).fill(job, out, row, length, hook, head));
        List<TokenActivations> result = new ArrayList<>(docs.size());
        for (Layout doc : docs) {
            result.add(doc.build(hook.width()));
        }
        return result;
    }

    /** The windows of {@code text} with the hook activation at every position, special tokens included. */
    public List<HookWindow> hookWindows(String text) {
        TextTokenizer.Encoded e = tokenizer.encode(List.of(text)).get(0);
        List<Windows.Window> plan = Windows.plan(e.size(), windowSize, config.overlap());
        List<Job> jobs = new ArrayList<>();
        for (Windows.Window w : plan) {
            jobs.add(new Job(jobs.size(), sequence(tokenizer.prefix(), e, w, tokenizer.suffix()), List.of()));
        }
        HookWindow[] windows = new HookWindow[plan.size()];
        int p = tokenizer.prefix().size();
        run(session, jobs, Set.of(hook.tensor()), null, (job, out, row, length) -> {
            Windows.Window w = plan.get(job.doc);
            int n = job.ids.length;
            boolean[] special = new boolean[n];
            int[] content = new int[n];
            for (int i = 0; i < n; i++) {
                special[i] = i < p || i >= p + w.length();
                content[i] = special[i] ? -1 : w.start() + i - p;
            }
            float[] acts = new float[n * hook.width()];
            System.arraycopy(out.get(hook.tensor()).floats(), row * length * hook.width(), acts, 0, acts.length);
            windows[job.doc] = new HookWindow(job.ids, special, content, hook.width(), acts);
        });
        return Arrays.asList(windows);
    }

    /**
     * Runs the graph from the hook to the model's output with {@code activations.get(i)} in place
     * of {@code windows.get(i)}'s hook activation. Feeding back the unmodified activations gives
     * the model's own output.
     */
    public List<SpliceResult> splice(List<HookWindow> windows, List<float[]> activations) {
        if (windows.size() != activations.size()) {
            throw new IllegalArgumentException(windows.size() + " windows but " + activations.size() + " activations");
        }
        for (int i = 0; i < windows.size(); i++) {
            long want = (long) windows.get(i).length() * hook.width();
            if (activations.get(i).length != want) {
                throw new IllegalArgumentException("activations " + i + " hold " + activations.get(i).length
                        + " values; window " + i + " needs " + windows.get(i).length() + " × " + hook.width());
            }
        }
        List<Job> jobs = new ArrayList<>();
        for (HookWindow w : windows) {
            jobs.add(new Job(jobs.size(), w.ids(), List.of()));
        }
        SpliceResult[] results = new SpliceResult[windows.size()];
        String output = info.output();
        int width = info.outputWidth();
        run(
                spliceSession(),
                jobs,
                Set.of(output),
                (batch, length) -> {
                    float[] h = new float[batch.size() * length * hook.width()];
                    for (int b = 0; b < batch.size(); b++) {
                        float[] a = activations.get(batch.get(b).doc);
                        System.arraycopy(a, 0, h, b * length * hook.width(), a.length);
                    }
                    return new HostTensor(hook.tensor(), new long[] {batch.size(), length, hook.width()}, h);
                },
                (job, out, row, length) -> {
                    int n = job.ids.length;
                    float[] hidden = new float[n * width];
                    System.arraycopy(out.get(output).floats(), row * length * width, hidden, 0, hidden.length);
                    results[job.doc] = new SpliceResult(n, width, hidden, meanOfRows(hidden, n, width));
                });
        return Arrays.asList(results);
    }

    @Override
    public void close() {
        try {
            session.close();
            synchronized (this) {
                if (spliceSession != null) {
                    spliceSession.close();
                }
            }
        } finally {
            tokenizer.close();
        }
    }

    // Package-private views for BareGraphs, which runs the same windows through bare sessions.

    ModelStore store() {
        return store;
    }

    ModelInfo info() {
        return info;
    }

    ModelConfig config() {
        return config;
    }

    /**
     * Windows per run: the configured batch size, or 1 for a batch-coupled model. Public so that
     * a benchmark reports the batch size that ran, not only the one asked for.
     */
    public int batchSize() {
        return batchSize;
    }

    /** The token sequences {@link #extract} would run for {@code texts}, special tokens included. */
    List<long[]> sequences(List<String> texts) {
        List<long[]> seqs = new ArrayList<>();
        for (TextTokenizer.Encoded e : tokenizer.encode(texts)) {
            for (Windows.Window w : Windows.plan(e.size(), windowSize, config.overlap())) {
                seqs.add(sequence(tokenizer.prefix(), e, w, tokenizer.suffix()));
            }
        }
        return seqs;
    }

    /** Batches of {@code sequences} as {@link #extract} forms them: sorted by length, {@code batchSize} at a time. */
    static List<List<Integer>> batches(List<long[]> sequences, int batchSize) {
        List<Integer> order = new ArrayList<>(sequences.size());
        for (int i = 0; i < sequences.size(); i++) {
            order.add(i);
        }
        // Similar lengths together: less padding to compute.
        order.sort(Comparator.comparingInt(i -> sequences.get(i).length));
        List<List<Integer>> batches = new ArrayList<>();
        for (int from = 0; from < order.size(); from += batchSize) {
            batches.add(order.subList(from, Math.min(from + batchSize, order.size())));
        }
        return batches;
    }

    private synchronized OnnxSession spliceSession() {
        if (spliceSession == null) {
            try {
                spliceSession =
                        OnnxSession.open(store.splice(hook, info.output()), config.threadCount(), config.onnxDevice());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return spliceSession;
    }

    private interface Extra {
        HostTensor feed(List<Job> batch, int length);
    }

    private interface Sink {
        void accept(Job job, Map<String, HostTensor> out, int row, int length);
    }

    private void run(OnnxSession s, List<Job> jobs, Set<String> names, Extra extra, Sink sink) {
        List<long[]> seqs = jobs.stream().map(j -> j.ids).toList();
        List<String> inputs =
                s.inputs().stream().filter(ModelInfo.KNOWN_INPUTS::contains).toList();
        for (List<Integer> batch : batches(seqs, batchSize)) {
            List<Job> batchJobs = batch.stream().map(jobs::get).toList();
            int length = 0;
            for (Job j : batchJobs) {
                length = Math.max(length, j.ids.length);
            }
            List<HostTensor> feed = new ArrayList<>(
                    info.feed(inputs, batchJobs.stream().map(j -> j.ids).toList(), length));
            if (extra != null) {
                feed.add(extra.feed(batchJobs, length));
            }
            Map<String, HostTensor> out = s.run(feed, names);
            for (int b = 0; b < batchJobs.size(); b++) {
                sink.accept(batchJobs.get(b), out, b, length);
            }
        }
    }

    /** The window's tokens between the special tokens the tokenizer puts around a sequence. */
    private static long[] sequence(
            TextTokenizer.Encoded prefix, TextTokenizer.Encoded e, Windows.Window w, TextTokenizer.Encoded suffix) {
        int p = prefix.size();
        long[] seq = new long[p + w.length() + suffix.size()];
        System.arraycopy(prefix.ids(), 0, seq, 0, p);
        System.arraycopy(e.ids(), w.start(), seq, p, w.length());
        System.arraycopy(suffix.ids(), 0, seq, p + w.length(), suffix.size());
        return seq;
    }

    private static float[] meanOfRows(float[] rows, int n, int width) {
        float[] mean = new float[width];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < width; j++) {
                mean[j] += rows[i * width + j];
            }
        }
        for (int j = 0; j < width; j++) {
            mean[j] /= n;
        }
        return mean;
    }

    private static int maxTokens(ModelConfig config, ModelInfo info) {
        if (config.maxTokens() == 0) {
            if (info.maxTokens() == 0) {
                throw new IllegalArgumentException("model " + info.modelId() + " does not say how long its input may be"
                        + " (no config.json with max_position_embeddings); set model.maxTokens");
            }
            return info.maxTokens();
        }
        if (info.maxTokens() > 0 && config.maxTokens() > info.maxTokens()) {
            throw new IllegalArgumentException("model.maxTokens is " + config.maxTokens() + " but " + info.modelId()
                    + " takes at most " + info.maxTokens() + " tokens");
        }
        return config.maxTokens();
    }

    /**
     * One window to run: its token ids, and which of its positions go where in the output:
     * {@code {from, to, row}} copies positions [from, to) to rows from {@code row} on. {@code doc}
     * is the text's index for extract, the window's for hookWindows and splice.
     */
    private record Job(int doc, long[] ids, List<int[]> copies) {}

    /** One text's output, laid out before the runs and filled as batches come back. */
    private static final class Layout {
        private final List<String> tokens = new ArrayList<>();
        private final List<Integer> ids = new ArrayList<>();
        private final List<Integer> starts = new ArrayList<>();
        private final List<Integer> ends = new ArrayList<>();
        private final List<Boolean> special = new ArrayList<>();
        private float[] activations;
        private final Map<String, float[]> headFloats = new HashMap<>();
        private final Map<String, int[]> headInts = new HashMap<>();
        private final Map<String, Integer> headWidths = new HashMap<>();

        /** Lays out window {@code w}'s tokens and says which window positions fill which rows. */
        Job add(
                int doc,
                TextTokenizer.Encoded e,
                Windows.Window w,
                TextTokenizer.Encoded prefix,
                TextTokenizer.Encoded suffix,
                boolean withSpecials) {
            List<int[]> copies = new ArrayList<>(3);
            int p = prefix.size();
            if (withSpecials && p > 0) {
                copies.add(new int[] {0, p, tokens.size()});
                addSpecials(prefix, e.starts()[w.keepFrom()]);
            }
            copies.add(new int[] {p + w.keepFrom() - w.start(), p + w.keepTo() - w.start(), tokens.size()});
            for (int i = w.keepFrom(); i < w.keepTo(); i++) {
                add(e.tokens()[i], e.ids()[i], e.starts()[i], e.ends()[i], false);
            }
            if (withSpecials && suffix.size() > 0) {
                copies.add(new int[] {p + w.length(), p + w.length() + suffix.size(), tokens.size()});
                addSpecials(suffix, e.ends()[w.keepTo() - 1]);
            }
            return new Job(doc, sequence(prefix, e, w, suffix), copies);
        }

        private void addSpecials(TextTokenizer.Encoded specials, int at) {
            for (int i = 0; i < specials.size(); i++) {
                add(specials.tokens()[i], specials.ids()[i], at, at, true);
            }
        }

        private void add(String token, long id, int start, int end, boolean isSpecial) {
            tokens.add(token);
            ids.add(Math.toIntExact(id));
            starts.add(start);
            ends.add(end);
            special.add(isSpecial);
        }

        void allocate(int width, Head head) {
            int n = tokens.size();
            activations = width > 0 ? new float[n * width] : null;
            if (head != null) {
                for (ValueInfoProto o : head.outputs()) {
                    int w = Head.width(o);
                    headWidths.put(o.getName(), w);
                    if (o.getType().getTensorType().getElemType() == TensorProto.DataType.FLOAT_VALUE) {
                        headFloats.put(o.getName(), new float[n * w]);
                    } else {
                        headInts.put(o.getName(), new int[n * w]);
                    }
                }
            }
        }

        void fill(Job job, Map<String, HostTensor> out, int row, int length, HookPoint hook, Head head) {
            for (int[] c : job.copies) {
                int from = c[0];
                int count = c[1] - c[0];
                int to = c[2];
                if (activations != null) {
                    int w = hook.width();
                    System.arraycopy(
                            out.get(hook.tensor()).floats(), (row * length + from) * w, activations, to * w, count * w);
                }
                if (head != null) {
                    for (String name : head.outputNames()) {
                        int w = headWidths.get(name);
                        HostTensor t = out.get(name);
                        if (headFloats.containsKey(name)) {
                            System.arraycopy(
                                    t.floats(), (row * length + from) * w, headFloats.get(name), to * w, count * w);
                        } else {
                            long[] src = t.longs();
                            int[] dst = headInts.get(name);
                            int base = (row * length + from) * w;
                            for (int i = 0; i < count * w; i++) {
                                dst[to * w + i] = Math.toIntExact(src[base + i]);
                            }
                        }
                    }
                }
            }
        }

        TokenActivations build(int width) {
            int n = tokens.size();
            int[] i = new int[n];
            int[] s = new int[n];
            int[] e = new int[n];
            boolean[] sp = new boolean[n];
            for (int k = 0; k < n; k++) {
                i[k] = ids.get(k);
                s[k] = starts.get(k);
                e[k] = ends.get(k);
                sp[k] = special.get(k);
            }
            Map<String, HeadValues> head = new HashMap<>();
            headFloats.forEach((name, v) -> head.put(name, new HeadValues(headWidths.get(name), v, null)));
            headInts.forEach((name, v) -> head.put(name, new HeadValues(headWidths.get(name), null, v)));
            return new TokenActivations(tokens, i, s, e, sp, width, activations, head);
        }
    }
}
