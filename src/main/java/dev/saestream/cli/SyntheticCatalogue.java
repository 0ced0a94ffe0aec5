package dev.saestream.cli;

import dev.saestream.catalog.ActivationHistogram;
import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureWindow;
import dev.saestream.corpus.SourceItem;
import dev.saestream.corpus.SourceOptions;
import dev.saestream.corpus.TextSources;
import dev.saestream.formats.HalfFloat;
import dev.saestream.formats.Json;
import dev.saestream.kafka.Topics;
import dev.saestream.label.Cost;
import dev.saestream.label.Label;
import dev.saestream.label.Score;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Feature states and labels of a catalogue of any width, made up but shaped like the catalog's and the
 * labeller's: statistics and a histogram, the top {@value #TOP} windows and a reservoir of {@value #RESERVOIR}
 * windows of {@value #WINDOW} tokens cut from Europarl text (so they deflate like real windows), half-float
 * activations zero off a few tokens around the peak, and an ok label with an embedding score. They are the
 * project's own records written with its own JSON, so the server reads exactly what it reads from a catalogue.
 * Deterministic: a feature's state and label depend only on its index.
 */
final class SyntheticCatalogue {
    static final int TOP = 50;
    static final int RESERVOIR = 200;
    static final int WINDOW = 32;

    /** Words the explanations are made of; {@link #QUERY} is one, in about one label of {@value #TOPICS_SIZE}. */
    private static final List<String> TOPICS = List.of(
            "budget",
            "fisheries",
            "agriculture",
            "parliament",
            "commission",
            "council",
            "treaty",
            "enlargement",
            "employment",
            "transport",
            "energy",
            "environment",
            "health",
            "education",
            "trade",
            "tax",
            "asylum",
            "immigration",
            "security",
            "defence",
            "human rights",
            "democracy",
            "elections",
            "Turkey",
            "Russia",
            "China",
            "Africa",
            "the Balkans",
            "the euro",
            "inflation",
            "competition",
            "state aid",
            "railways",
            "aviation",
            "shipping",
            "water",
            "forests",
            "climate",
            "nuclear power",
            "tobacco",
            "food safety",
            "consumers",
            "women",
            "children",
            "disability",
            "pensions",
            "regions",
            "cohesion",
            "research",
            "culture",
            "languages",
            "the internet",
            "copyright",
            "patents",
            "police",
            "courts",
            "prisons",
            "terrorism",
            "drugs",
            "fraud",
            "corruption",
            "the press",
            "religion",
            "sport");

    private static final int TOPICS_SIZE = 64;
    static final String QUERY = "budget";

    private static final List<String> FORMS = List.of(
            "mentions of %s",
            "the word %s and its inflections",
            "debates about %s",
            "%s in procedural remarks",
            "the first token after %s",
            "plural nouns near %s",
            "amendments concerning %s",
            "figures about %s");

    private static final Pattern PIECE = Pattern.compile("(?<=\\S)(?=\\s)");

    private final List<String[]> lines = new ArrayList<>();

    /** The windows' text: the first Europarl documents with at least {@value #WINDOW} tokens. */
    SyntheticCatalogue() {
        try (Stream<SourceItem> items = TextSources.europarl(4_000, SourceOptions.defaults())) {
            items.forEach(item -> {
                if (item instanceof SourceItem.Read r) {
                    String[] pieces = pieces(r.document().text());
                    if (pieces.length >= WINDOW) {
                        lines.add(pieces);
                    }
                }
            });
        }
        if (lines.isEmpty()) {
            throw new IllegalStateException("no Europarl document of " + WINDOW + " tokens");
        }
    }

    /** Display pieces as the tokenizer's would be: the whitespace before each, long words split in two. */
    private static String[] pieces(String text) {
        List<String> out = new ArrayList<>();
        for (String w : PIECE.split(text)) {
            if (w.strip().length() > 7) {
                int cut = w.length() - w.strip().length() / 2;
                out.add(w.substring(0, cut));
                out.add(w.substring(cut));
            } else if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out.toArray(String[]::new);
    }

    /** Feature {@code index} of SAE {@code saeId} after {@code tokensSeen} tokens. */
    FeatureState state(String saeId, int index, long tokensSeen, long updatedMs) {
        Random rnd = new Random(31L * index + 7);
        double density = Math.pow(10, -4.5 + 3 * rnd.nextDouble()); // 3e-5 .. 3e-2, log-uniform
        long activations = Math.max(TOP + RESERVOIR, Math.round(density * tokensSeen));
        long windows = Math.max(TOP + RESERVOIR, activations * (3 + rnd.nextInt(5)) / 10);
        long documents = Math.max(1, windows * (2 + rnd.nextInt(6)) / 10);
        float scale = (float) (1 + 9 * rnd.nextDouble());
        List<FeatureWindow> top = new ArrayList<>(TOP);
        for (int i = 0; i < TOP; i++) {
            top.add(window(rnd, scale * (float) (1 - 0.6 * i / TOP)));
        }
        top.sort(FeatureWindow.BY_ACTIVATION_DESC);
        List<FeatureWindow> reservoir = new ArrayList<>(RESERVOIR);
        for (int i = 0; i < RESERVOIR; i++) {
            reservoir.add(window(rnd, scale * (float) (0.05 + 0.5 * rnd.nextDouble())));
        }
        long[] bins = new long[ActivationHistogram.SIZE];
        int centre = ActivationHistogram.bin(scale / 3);
        long left = activations;
        for (int b = centre - 12; b <= centre + 8 && left > 0; b++) {
            if (b >= 0 && b < bins.length) {
                long n = b == centre + 8 ? left : Math.min(left, activations / (2 + Math.abs(b - centre)));
                bins[b] += n;
                left -= n;
            }
        }
        bins[Math.min(bins.length - 1, centre)] += left;
        float max = top.get(0).max();
        return new FeatureState(
                saeId,
                index,
                1 + rnd.nextInt(400),
                tokensSeen,
                activations,
                documents,
                windows,
                activations * scale / 3.0,
                max,
                new ActivationHistogram(bins),
                top,
                reservoir,
                updatedMs - rnd.nextInt(3_600_000));
    }

    /** A window of {@value #WINDOW} tokens with its peak at {@code peakValue} and a few smaller values beside. */
    private FeatureWindow window(Random rnd, float peakValue) {
        String[] line = lines.get(rnd.nextInt(lines.size()));
        int first = rnd.nextInt(line.length - WINDOW + 1);
        String[] tokens = java.util.Arrays.copyOfRange(line, first, first + WINDOW);
        float[] acts = new float[WINDOW];
        int at = rnd.nextInt(WINDOW);
        acts[at] = half(peakValue);
        for (int k = rnd.nextInt(5); k > 0; k--) {
            int j = rnd.nextInt(WINDOW);
            if (j != at) {
                acts[j] = half(peakValue * rnd.nextFloat() * 0.9f);
            }
        }
        return new FeatureWindow("europarl-" + rnd.nextInt(1_000_000), first + at, first, tokens, acts);
    }

    private static float half(float v) {
        return HalfFloat.toFloat(HalfFloat.fromFloat(v));
    }

    /** An ok label for {@code s}: an explanation of one of the topics, an embedding score, its basis. */
    static Label label(FeatureState s) {
        Random rnd = new Random(17L * s.index() + 3);
        String topic = TOPICS.get(Math.floorMod(s.index() * 37 + 11, TOPICS_SIZE));
        String explanation = String.format(FORMS.get(rnd.nextInt(FORMS.size())), topic);
        double v = 0.5 + 0.45 * rnd.nextDouble();
        Score score = new Score(
                "roc_auc",
                v,
                100,
                Math.max(0, v - 0.08),
                Math.min(1, v + 0.08),
                "delong",
                0,
                0,
                "all-minilm-l6-v2-q",
                Map.of(),
                List.of());
        List<String> topIds = s.top().stream().map(FeatureWindow::id).toList();
        List<String> sample =
                s.reservoir().stream().limit(20).map(FeatureWindow::id).toList();
        return new Label(
                s.saeId(),
                s.index(),
                Label.Status.OK,
                null,
                explanation,
                new Label.ExplainerInfo("llm", "openai", "gpt-4o-mini"),
                Map.of("embedding", score),
                Cost.NONE,
                new Label.Basis(
                        s.version(),
                        s.density(),
                        s.activations(),
                        s.windows(),
                        s.max(),
                        topIds,
                        topIds.subList(0, 20),
                        topIds.subList(20, 40),
                        sample),
                s.updatedMs() + 1_000,
                List.of(),
                List.of());
    }

    /**
     * Publishes features {@code 0 .. n-1} of {@code saeId} to saestream.features and a label of each to
     * saestream.labels on {@code kafka}; returns the bytes of JSON written.
     */
    long publish(Map<String, Object> kafka, String saeId, int n) {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 << 20);
        long bytes = 0;
        long now = System.currentTimeMillis();
        long tokensSeen = 50_000_000L;
        AtomicReference<Exception> error = new AtomicReference<>();
        Callback failed = (m, e) -> {
            if (e != null) {
                error.compareAndSet(null, e);
            }
        };
        try (KafkaProducer<String, byte[]> p =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                FeatureState s = state(saeId, i, tokensSeen, now);
                byte[] state = Json.write(s);
                byte[] label = Json.write(label(s));
                p.send(new ProducerRecord<>(Topics.FEATURES, s.key(), state), failed);
                p.send(new ProducerRecord<>(Topics.LABELS, s.key(), label), failed);
                bytes += state.length + label.length;
            }
            p.flush();
        }
        if (error.get() != null) {
            throw new IllegalStateException("could not publish the synthetic catalogue", error.get());
        }
        return bytes;
    }
}
