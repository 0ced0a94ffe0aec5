package dev.saestream.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saestream.catalog.FeatureState;
import dev.saestream.catalog.FeatureWindow;
import dev.saestream.catalog.QuantileGroups;
import dev.saestream.encode.DocumentCodes;
import dev.saestream.encode.EncodeException;
import dev.saestream.encode.SaeDocumentEncoder;
import dev.saestream.label.Label;
import dev.saestream.label.SimilarFeatures;
import dev.saestream.sae.CosineDistribution;
import dev.saestream.sae.FeatureMatching;
import dev.saestream.sae.Sae;
import dev.saestream.sae.SparseCode;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.Set;

/** The API's answers, built from the view; each method is one endpoint of the contract. */
final class CatalogApi {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;
    static final int SEARCH_LIMIT = 20;
    static final int MAX_SEARCH_LIMIT = 200;
    static final int QUANTILE_GROUPS = 5;
    static final int NEAREST = 10;

    private final ServeConfig config;
    private final CatalogView view;
    private final KnownSaes saes;
    private final EncoderSlot encoder;
    private final StatusSource status;
    private final ExplanationSearch search;
    private final LabelReports reports = new LabelReports();

    CatalogApi(
            ServeConfig config,
            CatalogView view,
            KnownSaes saes,
            EncoderSlot encoder,
            StatusSource status,
            ExplanationSearch search) {
        this.config = config;
        this.view = view;
        this.saes = saes;
        this.encoder = encoder;
        this.status = status;
        this.search = search;
    }

    Api.Saes saes() {
        List<Api.Sae> items = new ArrayList<>();
        for (String id : view.saeIds()) {
            SaeFeatures s = view.sae(id);
            Sae known = saes.get(id);
            long[] labels = s.labelCounts();
            Integer width = known == null ? null : known.config().dSae();
            items.add(new Api.Sae(
                    id,
                    known == null ? null : known.config().modelName(),
                    known == null ? null : known.config().hookName(),
                    width,
                    status.documents(id),
                    s.tokens(),
                    s.featureCount(),
                    labels[0],
                    labels[1],
                    width == null ? null : Math.max(0, width - s.featureCount()),
                    s.updatedMs(),
                    s.firstUpdatedMs() == 0 ? null : s.firstUpdatedMs(),
                    s.explainers().entrySet().stream()
                            .map(e -> new Api.Explainer(
                                    e.getKey().kind(),
                                    e.getKey().provider(),
                                    e.getKey().model(),
                                    e.getValue()))
                            .toList()));
        }
        return new Api.Saes(items);
    }

    Api.FeaturePage features(Context ctx) {
        SaeFeatures s = sae(ctx.queryParam("sae"));
        String sortName = param(ctx, "sort", "density");
        Comparator<Row> bySort = switch (sortName) {
            case "density" -> Comparator.comparingDouble(r -> r.f.density());
            case "max" -> Comparator.comparingDouble(r -> r.f.max());
            case "index" -> Comparator.comparingInt(r -> r.f.index());
            case "updated" -> Comparator.comparingLong(r -> r.f.updatedMs());
            case "score" -> Comparator.comparingDouble(r -> r.l.score().value());
            default ->
                throw ApiException.badRequest(
                        "sort must be density, max, index, score or updated, got '" + sortName + "'");
        };
        String order = param(ctx, "order", sortName.equals("index") ? "asc" : "desc");
        if (!order.equals("asc") && !order.equals("desc")) {
            throw ApiException.badRequest("order must be asc or desc, got '" + order + "'");
        }
        Comparator<Row> sort = order.equals("desc") ? bySort.reversed() : bySort;
        int offset = intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        int limit = intParam(ctx, "limit", DEFAULT_LIMIT, 0, MAX_LIMIT);
        String q = ctx.queryParam("q");
        List<String> words = q == null ? List.of() : ExplanationSearch.words(q);
        // ties by index; features without a score (no label, a failed one) go last whatever the order
        boolean byScore = sortName.equals("score");
        Comparator<Row> ranked = byScore
                ? Comparator.comparing((Row r) -> !r.scored())
                        .thenComparing((x, y) -> x.scored() ? sort.compare(x, y) : 0)
                        .thenComparingInt(r -> r.f.index())
                : sort.thenComparingInt(r -> r.f.index());
        // A page needs only the best offset + limit rows: a bounded heap keeps them, so a page of a wide SAE
        // costs a pass over its features rather than a sort of all of them.
        long wanted = Math.min((long) offset + limit, s.featureCount());
        PriorityQueue<Row> best = new PriorityQueue<>((int) Math.max(1, wanted), ranked.reversed());
        int total = 0;
        for (FeatureEntry f : s.features()) {
            LabelEntry l = s.label(f.index());
            if (!words.isEmpty() && (l == null || ExplanationSearch.lexical(words, l.explanation()) != 1.0)) {
                continue;
            }
            total++;
            Row row = new Row(f, l);
            if (best.size() < wanted) {
                best.add(row);
            } else if (wanted > 0 && ranked.compare(row, best.peek()) < 0) {
                best.poll();
                best.add(row);
            }
        }
        List<Row> rows = new ArrayList<>(best);
        rows.sort(ranked);
        List<Api.FeatureSummary> items = rows.subList(Math.min(offset, rows.size()), rows.size()).stream()
                .map(r -> Api.FeatureSummary.of(r.f, r.l))
                .toList();
        return new Api.FeaturePage(s.saeId(), total, offset, limit, items);
    }

    private record Row(FeatureEntry f, LabelEntry l) {
        boolean scored() {
            return l != null && l.score() != null;
        }
    }

    Api.Feature feature(Context ctx) {
        SaeFeatures s = sae(ctx.queryParam("sae"));
        int index;
        try {
            index = Integer.parseInt(ctx.pathParam("index"));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(
                    "the feature index must be a whole number, got '" + ctx.pathParam("index") + "'");
        }
        FeatureEntry f = s.feature(index);
        if (f == null) {
            throw ApiException.notFound("feature " + index + " of " + s.saeId() + " has no state in the catalogue");
        }
        FeatureState st = f.state();
        List<Api.Quantile> quantiles = st.reservoir().isEmpty()
                ? List.of()
                : QuantileGroups.of(st.reservoir(), QUANTILE_GROUPS).stream()
                        .map(g -> new Api.Quantile(g.group(), g.low(), g.high(), Api.Window.of(g.windows())))
                        .toList();
        LabelEntry l = s.label(index);
        return new Api.Feature(
                s.saeId(),
                index,
                st.version(),
                st.updatedMs(),
                st.tokensSeen(),
                st.activations(),
                st.documents(),
                st.windows(),
                st.density(),
                st.max(),
                st.mean(),
                Api.Histogram.of(st.histogram()),
                Api.Window.of(st.top()),
                quantiles,
                st.facet() == null
                        ? null
                        : new Api.Facet(st.facet().field(), st.facet().counts()),
                l == null ? null : label(l.full(), st),
                nearest(s, index),
                matches(s.saeId(), index));
    }

    private static Api.LabelJson label(Label l, FeatureState st) {
        List<Api.ScoreJson> scores = new ArrayList<>();
        l.scores().forEach((name, sc) -> scores.add(Api.ScoreJson.of(name, sc)));
        Set<String> seen = new HashSet<>(l.basis().topIds());
        long shared =
                st.top().stream().map(FeatureWindow::id).filter(seen::contains).count();
        List<Api.History> history = l.history().stream()
                .map(h -> new Api.History(
                        h.createdMs(), h.version(), h.status(), h.explanation(), h.explainer(), h.scores()))
                .toList();
        return new Api.LabelJson(
                l.status(),
                l.failure(),
                l.explanation(),
                l.explainer(),
                scores,
                new Api.Cost(l.cost().calls(), l.cost().inputTokens(), l.cost().outputTokens()),
                l.createdMs(),
                l.basis().version(),
                st.top().isEmpty() ? 0 : (double) shared / st.top().size(),
                l.warnings(),
                history);
    }

    private List<Api.Nearest> nearest(SaeFeatures s, int index) {
        SimilarFeatures sim = saes.similar(s.saeId());
        if (sim == null || index >= sim.features()) {
            return List.of();
        }
        List<Api.Nearest> out = new ArrayList<>();
        for (int j : sim.mostSimilar(index, NEAREST)) {
            LabelEntry l = s.label(j);
            out.add(new Api.Nearest(j, sim.cosine(index, j), l == null ? null : l.explanation()));
        }
        return out;
    }

    private List<Api.Match> matches(String saeId, int index) {
        return saes.bestMatches(saeId, index).stream()
                .map(m -> new Api.Match(m.saeId(), m.index(), m.cosine(), explanation(view.sae(m.saeId()), m.index())))
                .toList();
    }

    private static String explanation(SaeFeatures s, int index) {
        LabelEntry l = s == null ? null : s.label(index);
        return l == null ? null : l.explanation();
    }

    /** GET /api/compare: the one-to-one matching of two SAEs' features, each list paged alike. */
    Api.Compare compare(Context ctx) {
        Sae a = knownSae(ctx, "a");
        Sae b = knownSae(ctx, "b");
        if (a.id().equals(b.id())) {
            throw ApiException.badRequest("a and b are the same SAE '" + a.id() + "'");
        }
        String order = param(ctx, "order", "desc");
        if (!order.equals("asc") && !order.equals("desc")) {
            throw ApiException.badRequest("order must be asc or desc, got '" + order + "'");
        }
        int offset = intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        int limit = intParam(ctx, "limit", DEFAULT_LIMIT, 0, MAX_LIMIT);
        FeatureMatching.Result r;
        try {
            r = saes.matching(a, b);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        SaeFeatures fa = view.sae(a.id());
        SaeFeatures fb = view.sae(b.id());
        List<FeatureMatching.Match> pairs = new ArrayList<>(r.pairs());
        if (order.equals("asc")) {
            java.util.Collections.reverse(pairs);
        }
        List<Api.ComparePair> pairItems = page(pairs, offset, limit).stream()
                .map(m -> new Api.ComparePair(m.cosine(), side(fa, m.a()), side(fb, m.b())))
                .toList();
        List<Api.Unmatched> onlyA =
                page(java.util.Arrays.stream(r.unmatchedA()).boxed().toList(), offset, limit).stream()
                        .map(i -> new Api.Unmatched(side(fa, i), r.bestA()[i]))
                        .toList();
        List<Api.Unmatched> onlyB =
                page(java.util.Arrays.stream(r.unmatchedB()).boxed().toList(), offset, limit).stream()
                        .map(i -> new Api.Unmatched(side(fb, i), null))
                        .toList();
        return new Api.Compare(
                a.id(),
                b.id(),
                r.featuresA(),
                r.featuresB(),
                CosineDistribution.of(r.bestA()),
                new Api.Page<>(pairs.size(), offset, limit, pairItems),
                new Api.Page<>(r.unmatchedA().length, offset, limit, onlyA),
                new Api.Page<>(r.unmatchedB().length, offset, limit, onlyB));
    }

    private static <T> List<T> page(List<T> all, int offset, int limit) {
        int from = Math.min(offset, all.size());
        return all.subList(from, (int) Math.min(all.size(), (long) from + limit));
    }

    private static Api.CompareSide side(SaeFeatures s, int index) {
        LabelEntry l = s == null ? null : s.label(index);
        return new Api.CompareSide(
                index, l == null ? null : l.explanation(), l == null ? null : Api.ScoreJson.of(l.scorer(), l.score()));
    }

    /** The SAE a query parameter names, which must be one whose weights this server has. */
    private Sae knownSae(Context ctx, String name) {
        String id = ctx.queryParam(name);
        if (id == null || id.isBlank()) {
            throw ApiException.badRequest(name + " must be given: the id of an SAE whose weights this server has");
        }
        Sae sae = saes.get(id);
        if (sae == null) {
            throw ApiException.notFound("the weights of SAE '" + id
                    + "' are not loaded here (serve --sae DIR); compare needs" + " both SAEs' decoders");
        }
        return sae;
    }

    Api.Activations activations(Context ctx, byte[] body) {
        String text;
        try {
            JsonNode node = Api.MAPPER.readTree(body);
            if (node == null || !node.isObject() || !node.path("text").isTextual()) {
                throw ApiException.badRequest("the body must be a JSON object with a string field \"text\"");
            }
            text = node.get("text").asText();
        } catch (IOException e) {
            throw ApiException.badRequest("the body is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (text.length() > config.maxTextChars()) {
            throw ApiException.badRequest("the text has " + text.length() + " characters; at most "
                    + config.maxTextChars() + " are encoded (serve.maxTextChars)");
        }
        String saeId = ctx.queryParam("sae");
        if (saeId == null || saeId.isBlank()) {
            saeId = view.saeIds().size() == 1 ? view.saeIds().iterator().next() : null;
        }
        if (saeId == null) {
            throw ApiException.badRequest(
                    "sae must be given: the catalogue has " + view.saeIds().size() + " SAEs " + view.saeIds());
        }
        SaeDocumentEncoder e = encoder.get(saeId);
        DocumentCodes codes;
        try {
            codes = e.encode("request", text);
        } catch (EncodeException ex) {
            throw ApiException.badRequest("the text cannot be encoded: " + ex.getMessage());
        }
        SaeFeatures s = view.sae(saeId);
        int[] ends = codes.ends();
        List<Api.Token> tokens = new ArrayList<>(codes.size());
        for (int i = 0; i < codes.size(); i++) {
            SparseCode c = codes.codes()[i];
            List<Api.TokenFeature> fs = new ArrayList<>(c.size());
            for (int k = 0; k < c.size(); k++) {
                LabelEntry l = s == null ? null : s.label(c.indices()[k]);
                fs.add(new Api.TokenFeature(c.indices()[k], c.values()[k], l == null ? null : l.explanation()));
            }
            fs.sort(Comparator.comparingDouble((Api.TokenFeature t) -> -t.value())
                    .thenComparingInt(Api.TokenFeature::index));
            String piece = codes.pieces()[i];
            tokens.add(new Api.Token(piece, ends[i] - piece.length(), ends[i], fs));
        }
        return new Api.Activations(saeId, tokens);
    }

    Api.Search search(Context ctx) {
        SaeFeatures s = sae(ctx.queryParam("sae"));
        String q = ctx.queryParam("q");
        if (q == null || q.isBlank()) {
            throw ApiException.badRequest("q must be given: the text to search the explanations for");
        }
        if (q.length() > config.maxTextChars()) {
            throw ApiException.badRequest("q has " + q.length() + " characters; at most " + config.maxTextChars());
        }
        int limit = intParam(ctx, "limit", SEARCH_LIMIT, 1, MAX_SEARCH_LIMIT);
        return new Api.Search(s.saeId(), q, search.search(s, q, limit));
    }

    /** GET /api/labels/report: how good one SAE's labels are, as {@code saestream label report --json} says. */
    dev.saestream.label.LabelReport labelReport(Context ctx) {
        return reports.of(sae(ctx.queryParam("sae")));
    }

    /** The SAE asked for, or the only one when none is named. */
    private SaeFeatures sae(String saeId) {
        if (saeId == null || saeId.isBlank()) {
            Set<String> ids = view.saeIds();
            if (ids.size() == 1) {
                return view.sae(ids.iterator().next());
            }
            if (ids.isEmpty()) {
                throw ApiException.notFound("the catalogue has no SAE yet: nothing has reached saestream.features");
            }
            throw ApiException.badRequest("sae must be given: the catalogue has " + ids.size() + " SAEs " + ids);
        }
        SaeFeatures s = view.sae(saeId);
        if (s == null) {
            throw ApiException.notFound("unknown SAE '" + saeId + "'; the catalogue has " + view.saeIds());
        }
        return s;
    }

    private static String param(Context ctx, String name, String dflt) {
        String v = ctx.queryParam(name);
        return v == null || v.isBlank() ? dflt : v.toLowerCase(Locale.ROOT);
    }

    private static int intParam(Context ctx, String name, int dflt, int min, int max) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min || n > max) {
                throw ApiException.badRequest(name + " must be in [" + min + ", " + max + "], got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name + " must be a whole number, got '" + v + "'");
        }
    }

    private static String firstLine(String m) {
        if (m == null) {
            return "";
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
