package dev.saestream.serve.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saestream.catalog.FeatureKey;
import dev.saestream.cli.ServedRun;
import dev.saestream.corpus.Document;
import dev.saestream.corpus.SourceItem;
import dev.saestream.corpus.SourceOptions;
import dev.saestream.corpus.TextSources;
import dev.saestream.formats.Json;
import dev.saestream.kafka.Topics;
import dev.saestream.label.Label;
import dev.saestream.sae.Architecture;
import dev.saestream.sae.TestSaes;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * The web page in a real headless Chromium, over a real pipeline: Europarl documents (and an XSS
 * corpus) streamed through encode, catalog and the labeller, served by the same server as {@code run}.
 * One pipeline and one browser serve every test of the class.
 *
 * <p>With {@code -Dsaestream.screenshots=DIR} the overview, the list and a feature page are also
 * saved as PNGs in DIR (the README's pictures: {@code docs/screenshots}); they always go to
 * {@code target/screenshots}. {@code -Dsaestream.screenshots.sae=DIR} and
 * {@code -Dsaestream.screenshots.docs=N} run them over another SAE and corpus size, labelling the
 * features with at least {@code saestream.screenshots.minWindows} windows (300); the README's use the
 * default SAE, {@code saes/all-minilm-l6-v2-layer3}, on 60 documents.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebPageBrowserTest {
    /** Set by the payloads below if any of them ever runs. */
    private static final String SCRIPT = "<script>window.__pwned = 'script'; document.title = 'pwned'</script>";

    private static final String IMG = "<img src=x onerror=\"window.__pwned = 'img'; document.title = 'pwned'\">";
    private static final String LINK = "<a href=\"javascript:window.__pwned = 'link'\">click me</a>";
    private static final String ENTITIES = "&lt;b&gt;bold&lt;/b&gt; &amp; &#x3C;i&#x3E;";
    private static final String XSS_EXPLANATION = "Fires on " + SCRIPT + " " + IMG + " " + LINK + " " + ENTITIES;
    /** The page's own elements: the header logo, the module entry point. */
    private static final int OWN_IMAGES = 1;

    private static final int OWN_SCRIPTS = 1;
    private static final double MAX_ALPHA = 0.85;
    private static final Pattern RGBA = Pattern.compile("rgba?\\(([\\d.]+), ([\\d.]+), ([\\d.]+)(?:, ([\\d.]+))?\\)");

    @TempDir
    static Path dir;

    static ServedRun run;
    static Browser browser;
    static String sae;
    static String base;
    /** The feature the XSS test gives a label full of markup; -1 before. */
    static int xssFeature = -1;

    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void streamAndOpen() throws Exception {
        Browser.assumeInstalled();
        String saeOverride = System.getProperty("saestream.screenshots.sae");
        Path saeDir;
        Map<String, String> label;
        if (saeOverride != null && !saeOverride.isBlank()) {
            // the README's pictures: a real SAE, labelled as run labels, its densest features only (quick enough)
            saeDir = Path.of(saeOverride).toAbsolutePath();
            label = Map.of("sampling.minWindows", System.getProperty("saestream.screenshots.minWindows", "300"));
        } else {
            saeDir = dir.resolve("sae");
            // few features: the labeller names each once, quickly
            TestSaes.random(Architecture.TOPK, 384, 24, 3, 7).save(saeDir);
            // a quick labeller: 10 + 10 examples per score (wide intervals, but every one computed as in run)
            label = Map.of("sampling.scoreActivating", "10", "sampling.scoreNonActivating", "10");
        }
        int docs = Integer.getInteger("saestream.screenshots.docs", 24);
        run = ServedRun.start(dir, saeDir, label);
        sae = run.saeId();
        base = run.url();
        run.produce(Stream.concat(TextSources.europarl(docs, SourceOptions.defaults()), xssDocuments()));
        run.awaitCatalogued();
        run.awaitLabelled();
        browser = Browser.start();
    }

    @AfterAll
    static void stop() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (run != null) {
                run.close();
            }
        }
    }

    @Test
    void overviewTotalsFollowTheStreamWithoutAReload() throws Exception {
        browser.open(base + "#/");
        String docsCell = "[data-sae='" + sae + "'] [data-sae-stat='documents']";
        long before = run.documents();
        awaitText(docsCell, grouped(before));
        browser.script("window.__samePage = true");
        List<WebElement> reasons = browser.all("#dead-letter-reasons");
        assertThat(reasons).hasSize(1);

        catalogueThreeMore("fresh/");
        long after = run.documents();
        assertThat(after).isEqualTo(before + 3);

        awaitText(docsCell, grouped(after));
        assertThat(browser.script("return window.__samePage === true")).isEqualTo(true);
        // the labeller's figures and the live state are on the page too
        assertThat(browser.awaitVisible("[data-stat='labels.labelled']").getText())
                .matches("[\\d,]+");
        assertThat(browser.awaitVisible("#live").getText()).isIn("live", "polling every 2 s");
        // no prices are configured here: the LLM's cost is in calls and tokens, with no dollars
        assertThat(browser.awaitVisible("[data-stat='llm.calls']").getText()).matches("[\\d,]+");
        assertThat(browser.awaitVisible("[data-stat='llm.dollars']").getText()).isEqualTo("—");
        screenshot("overview");
    }

    @Test
    void listSortsSearchesAndOpensAFeature() throws Exception {
        JsonNode all = allFeatures();
        browser.open(base + "#/sae/" + enc(sae) + "/features");
        JsonNode page = api("/api/features?sae=" + enc(sae));
        List<String> expected = new ArrayList<>();
        page.get("items").forEach(i -> expected.add(i.get("index").asText()));
        browser.await(d -> rowIndexes().equals(expected));
        assertThat(browser.awaitVisible("#list-summary").getText())
                .isEqualTo("1–" + expected.size() + " of " + grouped(all.size()) + " features");
        // each row's score reads "value [low, high] n=N" from the feature's label
        JsonNode first = page.get("items").get(0);
        if (first.hasNonNull("score")) {
            assertThat(browser.all("#feature-table tbody tr").get(0).getText()).contains(scoreText(first.get("score")));
        }
        screenshot("list");

        // "/" focuses the search; a word from some explanation filters the list to the features whose explanation has
        // it
        String word = searchWord(all);
        new Actions(browser.driver).sendKeys("/").perform();
        WebElement search = browser.driver.switchTo().activeElement();
        assertThat(search.getAttribute("id")).isEqualTo("search");
        search.sendKeys(word);
        List<String> matching = new ArrayList<>();
        all.forEach(f -> {
            if (f.hasNonNull("explanation")
                    && f.get("explanation").asText().toLowerCase(Locale.ROOT).contains(word.toLowerCase(Locale.ROOT))) {
                matching.add(f.get("index").asText());
            }
        });
        assertThat(matching).isNotEmpty();
        assertThat(matching.size())
                .as("the rarest word's features fit on one page")
                .isLessThanOrEqualTo(50);
        browser.await(d -> Set.copyOf(rowIndexes()).equals(Set.copyOf(matching)));
        assertThat(texts("#feature-table tbody td.expl"))
                .hasSize(matching.size())
                .allSatisfy(t -> assertThat(t.toLowerCase(Locale.ROOT)).contains(word));
        assertThat(browser.driver.getCurrentUrl()).contains("q=" + enc(word));

        // a row's link opens its feature page
        WebElement link = browser.all("#feature-table tbody tr td.idx a").get(0);
        String index = link.getText();
        link.click();
        browser.await(d -> d.getCurrentUrl().endsWith("#/sae/" + enc(sae) + "/feature/" + index));
        assertThat(browser.awaitVisible("main h1").getText()).isEqualTo("Feature " + index);
    }

    @Test
    void featurePageShadesTokensByActivationAndShowsTheLabelWithItsInterval() throws Exception {
        int index = bestLabelledFeature();
        JsonNode f = api("/api/features/" + index + "?sae=" + enc(sae));
        browser.open(base + "#/sae/" + enc(sae) + "/feature/" + index);
        browser.awaitVisible("#top .window");
        int windows = f.get("top").size();
        assertThat(browser.all("#top .window")).hasSize(windows);
        assertThat(browser.all("#top .window .tok.peak")).hasSize(windows);

        // every token's colour is activation / max on one hue; zero is transparent
        double max = f.get("max").asDouble();
        JsonNode w0 = f.get("top").get(0);
        List<WebElement> tokens = browser.all("#top .window:first-child .tok");
        assertThat(tokens).hasSize(w0.get("tokens").size());
        int zeros = 0;
        for (int i = 0; i < tokens.size(); i++) {
            double act = w0.get("acts").get(i).asDouble();
            assertThat(tokens.get(i).getDomProperty("textContent"))
                    .isEqualTo(display(w0.get("tokens").get(i).asText()));
            double alpha = alpha(tokens.get(i).getCssValue("background-color"));
            if (act <= 0) {
                zeros++;
                assertThat(alpha).isZero();
            } else {
                assertThat(alpha).isCloseTo(Math.min(1, act / max) * MAX_ALPHA, within(0.01));
            }
        }
        assertThat(zeros).as("a window has tokens where the feature is zero").isPositive();
        WebElement peak = browser.all("#top .window:first-child .tok.peak").get(0);
        assertThat(alpha(peak.getCssValue("background-color"))).isGreaterThan(0);
        assertThat(peak.getAttribute("title"))
                .endsWith(" " + precision3(w0.get("max").asDouble()));

        // the histogram: one bar per non-empty bin
        long bins = 0;
        JsonNode counts = f.get("histogram").get("counts");
        for (int i = 0; i < counts.size(); i++) {
            bins += counts.get(i).asLong() > 0 ? 1 : 0;
        }
        assertThat(browser.all("#histogram svg rect.bar")).hasSize((int) bins);

        // the label, each score with its interval and n, the basis share
        JsonNode label = f.get("label");
        assertThat(browser.awaitVisible("#explanation").getText())
                .isEqualTo(label.get("explanation").asText());
        JsonNode score = label.get("scores").get(0);
        WebElement row = browser.awaitVisible("#scores tbody tr");
        assertThat(row.getText())
                .contains(fixed(score.get("value").asDouble()) + " ["
                        + fixed(score.get("ciLow").asDouble()) + ", "
                        + fixed(score.get("ciHigh").asDouble()) + "]")
                .contains(" " + score.get("n").asInt() + " ");
        assertThat(browser.awaitVisible("#basis").getText())
                .startsWith("label based on "
                        + Math.round(label.get("basisShare").asDouble() * 100) + "% of current top examples");
        assertThat(browser.awaitVisible("#raw-json").getAttribute("href"))
                .isEqualTo(base + "api/features/" + index + "?sae=" + enc(sae));
        assertThat(browser.all("#nearest tbody tr")).hasSize(f.get("nearest").size());
        assertThat(browser.all("#quantiles details.quantile"))
                .hasSize(f.get("quantiles").size());
        assertThat(browser.awaitVisible("#updated").getText()).matches("version [\\d,]+, updated \\d+ (s|min) ago");
        screenshot("feature");
    }

    @Test
    void featurePageFollowsItsFeatureWithoutAReload() throws Exception {
        // the densest feature: it fires in any few documents
        int index = api("/api/features?sae=" + enc(sae) + "&sort=density&limit=1")
                .get("items")
                .get(0)
                .get("index")
                .asInt();
        String path = "/api/features/" + index + "?sae=" + enc(sae);
        long before = api(path).get("activations").asLong();
        browser.open(base + "#/sae/" + enc(sae) + "/feature/" + index);
        String cell = "#stats [data-stat='activations']";
        awaitText(cell, grouped(before));
        browser.script("window.__samePage = true");

        catalogueThreeMore("later/");

        // the page shows the figures the API has once the feature's new ones are out, on the same page
        long[] shown = {before};
        browser.await(d -> {
            long now;
            try {
                now = api(path).get("activations").asLong();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
            List<WebElement> e = browser.all(cell);
            shown[0] = now;
            return now > before && !e.isEmpty() && e.get(0).getText().equals(grouped(now));
        });
        assertThat(shown[0]).isGreaterThan(before);
        assertThat(browser.script("return window.__samePage === true")).isEqualTo(true);
    }

    @Test
    void tryATextShadesByAFeatureAndListsATokensFeatures() throws Exception {
        String text = "The Commission proposed a new budget for agriculture and fisheries.";
        JsonNode expected =
                post("/api/activations?sae=" + enc(sae), Map.of("text", text)).get("tokens");
        browser.open(base + "#/sae/" + enc(sae) + "/try");
        WebElement area = browser.awaitVisible("#try-text");
        area.clear();
        area.sendKeys(text);
        browser.awaitVisible("#try-run").click();
        browser.await(d -> browser.all("#try-tokens .tok").size() == expected.size()
                && browser.all("#try-tokens .tok")
                        .get(0)
                        .getDomProperty("textContent")
                        .equals(display(expected.get(0).get("text").asText())));

        // the token with the most features: clicking it lists them, strongest first
        int k = 0;
        for (int i = 0; i < expected.size(); i++) {
            if (expected.get(i).get("features").size()
                    > expected.get(k).get("features").size()) {
                k = i;
            }
        }
        JsonNode feats = expected.get(k).get("features");
        assertThat(feats.size()).isPositive();
        browser.all("#try-tokens .tok").get(k).click();
        List<WebElement> rows = browser.await(d -> {
            List<WebElement> r = browser.all("#token-feature-table tbody tr");
            return r.size() == feats.size() ? r : null;
        });
        for (int i = 0; i < feats.size(); i++) {
            assertThat(rows.get(i).getAttribute("data-index"))
                    .isEqualTo(feats.get(i).get("index").asText());
        }

        // shading by the strongest of them: that token is coloured, a token without the feature is not
        int feature = feats.get(0).get("index").asInt();
        WebElement input = browser.awaitVisible("#try-feature");
        input.clear();
        input.sendKeys(String.valueOf(feature), Keys.TAB);
        browser.await(d -> d.getCurrentUrl().endsWith("try?feature=" + feature));
        double top = 0;
        int without = -1;
        for (int i = 0; i < expected.size(); i++) {
            double v = valueOf(expected.get(i), feature);
            top = Math.max(top, v);
            if (v == 0) {
                without = i;
            }
        }
        List<WebElement> tokens = browser.all("#try-tokens .tok");
        assertThat(alpha(tokens.get(k).getCssValue("background-color")))
                .isCloseTo(valueOf(expected.get(k), feature) / top * MAX_ALPHA, within(0.01));
        if (without >= 0) {
            assertThat(alpha(tokens.get(without).getCssValue("background-color")))
                    .isZero();
        }
        // the row links to the feature's page
        assertThat(rows.get(0).findElement(By.cssSelector("td.idx a")).getAttribute("href"))
                .isEqualTo(base + "#/sae/" + enc(sae) + "/feature/" + feature);
    }

    @Test
    void labelQualityShowsEachScorersFiguresAsTheApiGivesThem() throws Exception {
        browser.open(base + "#/");
        browser.awaitVisible("[data-sae='" + sae + "'] a.report-link").click();
        browser.awaitVisible("#report-scorers tbody tr");
        assertThat(browser.driver.getCurrentUrl()).endsWith("#/sae/" + enc(sae) + "/report");
        // the labeller may still relabel a feature: the page and the API must agree on one report
        String[] seen = new String[2];
        browser.await(d -> {
            try {
                JsonNode r = api("/api/labels/report?sae=" + enc(sae));
                assertThat(r.get("ok").asInt()).isPositive();
                var names = r.get("scorers").fieldNames();
                assertThat(names.hasNext()).as("a scorer in %s", r).isTrue();
                String scorer = names.next();
                JsonNode sc = r.get("scorers").get(scorer);
                String row = "#report-scorers tr[data-scorer='" + scorer + "'] ";
                List<String> page = List.of(
                        text(row + "[data-cell='scored']"),
                        text(row + "[data-cell='score']"),
                        text(row + "[data-cell='baseline']"),
                        text(row + "[data-cell='informative']"));
                List<String> api = List.of(
                        grouped(sc.get("scored").asLong()),
                        mean3(sc.get("score")),
                        sc.get("baseline").isNull() ? "none" : mean3(sc.get("baseline")),
                        sc.get("withBaseline").asInt() == 0
                                ? "—"
                                : new BigDecimal(100
                                                        * sc.get("informativeShare")
                                                                .asDouble())
                                                .setScale(0, RoundingMode.HALF_UP)
                                                .toPlainString()
                                        + "% (" + grouped(sc.get("informative").asLong()) + " of "
                                        + grouped(sc.get("withBaseline").asLong()) + ")");
                seen[0] = page.toString();
                seen[1] = api.toString();
                return page.equals(api)
                        && browser.all(".report-deciles[data-scorer='" + scorer + "'] tbody tr")
                                        .size()
                                == sc.get("byDensity").size();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(seen[0]).isEqualTo(seen[1]);
    }

    private static String text(String css) {
        List<WebElement> e = browser.all(css);
        return e.isEmpty() ? "" : e.get(0).getText();
    }

    /** A report mean as the page writes it: {@code 0.792 [0.770, 0.814]}. */
    private static String mean3(JsonNode m) {
        return fixed3(m.get("mean").asDouble()) + " [" + fixed3(m.get("ciLow").asDouble()) + ", "
                + fixed3(m.get("ciHigh").asDouble()) + "]";
    }

    private static String fixed3(double x) {
        return new BigDecimal(x).setScale(3, RoundingMode.HALF_UP).toPlainString();
    }

    @Test
    @Order(Integer.MAX_VALUE) // last, so that the other tests' screenshots show the catalogue as the labeller wrote it
    void markupInDocumentsAndExplanationsIsShownAsInertText() throws Exception {
        xssFeature = writeXssLabel();
        // the feature whose label carries the payloads: in the list and on its page
        browser.open(base + "#/sae/" + enc(sae) + "/features?q=" + enc("onerror"));
        browser.await(d -> rowIndexes().equals(List.of(String.valueOf(xssFeature))));
        assertThat(texts("#feature-table tbody td.expl")).containsExactly(XSS_EXPLANATION);
        assertInert("Features · saestream");

        browser.open(base + "#/sae/" + enc(sae) + "/feature/" + xssFeature);
        browser.await(d -> XSS_EXPLANATION.equals(
                browser.all("#explanation").isEmpty()
                        ? null
                        : browser.all("#explanation").get(0).getText()));
        assertInert("Feature " + xssFeature + " · saestream");

        // a window of an XSS document with markup in it, wherever a feature shows one: its tokens as literal text
        int shown = 0;
        for (JsonNode s : api("/api/features?sae=" + enc(sae) + "&limit=100").get("items")) {
            int index = s.get("index").asInt();
            JsonNode f = api("/api/features/" + index + "?sae=" + enc(sae));
            List<JsonNode> windows = new ArrayList<>();
            f.get("top").forEach(windows::add);
            List<JsonNode> groups = new ArrayList<>();
            f.get("quantiles").forEach(groups::add);
            java.util.Collections.reverse(groups); // the page shows the strongest group first
            groups.forEach(g -> g.get("windows").forEach(windows::add));
            for (int w = 0; w < windows.size() && shown == 0; w++) {
                String text = joined(windows.get(w).get("tokens"));
                if (windows.get(w).get("doc").asText().startsWith("xss/")
                        && (text.contains("<") || text.contains("&"))) {
                    browser.open(base + "#/sae/" + enc(sae) + "/feature/" + index);
                    browser.awaitVisible("#top .window");
                    assertThat(texts("#top .window .tokens, #quantiles .window .tokens")
                                    .get(w))
                            .isEqualTo(text);
                    assertInert("Feature " + index + " · saestream");
                    shown++;
                }
            }
            if (shown > 0) {
                break;
            }
        }
        assertThat(shown)
                .as("some feature shows a window of an XSS document with markup in it")
                .isEqualTo(1);

        // and typed into "try a text"
        browser.open(base + "#/sae/" + enc(sae) + "/try");
        WebElement area = browser.awaitVisible("#try-text");
        area.clear();
        area.sendKeys(SCRIPT + " " + IMG + " " + LINK + " " + ENTITIES);
        browser.awaitVisible("#try-run").click();
        // the tokens' pieces, joined, give the text back: every character shown as itself
        String typed = (SCRIPT + IMG + LINK + ENTITIES).replace(" ", "");
        browser.await(
                d -> String.join("", texts("#try-tokens .tok")).replace(" ", "").equals(typed));
        assertInert("Try a text · saestream");
    }

    // ---- helpers ----

    /** No payload ran, no element was made from data, no javascript: link exists. */
    private static void assertInert(String title) {
        assertThat(browser.script("return window.__pwned === undefined")).isEqualTo(true);
        assertThat(browser.driver.getTitle()).isEqualTo(title);
        assertThat(((Number) browser.script("return document.images.length")).intValue())
                .isEqualTo(OWN_IMAGES);
        assertThat(((Number) browser.script("return document.scripts.length")).intValue())
                .isEqualTo(OWN_SCRIPTS);
        assertThat(browser.all("a[href^='javascript'], [onerror], [onclick], [onload], iframe, object, embed"))
                .isEmpty();
        assertThat(browser.console()).noneMatch(e -> e.getMessage().contains("Content Security Policy"));
    }

    private static Stream<SourceItem> xssDocuments() {
        List<String> texts = List.of(
                "The Council noted " + SCRIPT + " before the vote on the budget.",
                "Members of Parliament saw " + IMG + " in the report on agriculture.",
                "The Commission linked " + LINK + " to the directive on fisheries.",
                "The minutes read " + ENTITIES + " and the President closed the sitting.",
                SCRIPT + IMG + LINK + ENTITIES);
        return IntStream.range(0, texts.size()).mapToObj(i -> read("xss/" + i, texts.get(i)));
    }

    /** Three new documents, ids {@code prefix}0 to 2, produced and catalogued. */
    private static void catalogueThreeMore(String prefix) throws Exception {
        run.produce(IntStream.range(0, 3)
                .mapToObj(i -> read(
                        prefix + i,
                        "A fresh document, number " + i
                                + ", about the common fisheries policy and the budget of the Union.")));
        run.awaitCatalogued();
    }

    private static SourceItem read(String id, String text) {
        return new SourceItem.Read(new Document(id, text, "test", null, null), "test:" + id);
    }

    /**
     * Replaces the label of a labelled feature with one whose explanation is the payloads, as an LLM
     * explainer could write it, and waits until the API shows it; returns the feature.
     */
    private static int writeXssLabel() throws Exception {
        Label label = null;
        try (var consumer = new KafkaConsumer<>(
                Map.<String, Object>of(
                        "bootstrap.servers",
                        run.bootstrapServers(),
                        "group.id",
                        "xss-" + System.nanoTime(),
                        "auto.offset.reset",
                        "earliest",
                        "isolation.level",
                        "read_committed"),
                new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(Set.of(Topics.LABELS));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (label == null && System.nanoTime() < deadline) {
                for (var r : consumer.poll(Duration.ofMillis(300))) {
                    Label l = Json.read(r.value(), Label.class);
                    if (l.status() == Label.Status.OK && l.saeId().equals(sae)) {
                        label = l;
                        break;
                    }
                }
            }
        }
        assertThat(label).as("a label on saestream.labels").isNotNull();
        Label xss = new Label(
                label.saeId(),
                label.index(),
                label.status(),
                null,
                XSS_EXPLANATION,
                label.explainer(),
                label.scores(),
                label.cost(),
                label.basis(),
                label.createdMs() + 1,
                List.of(IMG),
                label.historyFor(5));
        try (var producer = new KafkaProducer<>(
                Map.<String, Object>of("bootstrap.servers", run.bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(
                            Topics.LABELS, FeatureKey.of(sae, label.index()), Json.MAPPER.writeValueAsBytes(xss)))
                    .get();
        }
        int index = label.index();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode f = api("/api/features/" + index + "?sae=" + enc(sae));
            if (f.path("label").path("explanation").asText().equals(XSS_EXPLANATION)) {
                return index;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the server did not show the label written to " + Topics.LABELS);
    }

    /** Every feature summary, from the API in pages of 500. */
    private static JsonNode allFeatures() throws Exception {
        var out = Json.MAPPER.createArrayNode();
        for (int offset = 0; ; offset += 500) {
            JsonNode page = api("/api/features?sae=" + enc(sae) + "&sort=index&limit=500&offset=" + offset);
            page.get("items").forEach(out::add);
            if (offset + 500 >= page.get("total").asInt()) {
                return out;
            }
        }
    }

    /**
     * A word of at least 4 letters from the explanations that occurs in as few of
     * them as possible, and never inside a longer word, so that "contains" means the same either way.
     */
    private static String searchWord(JsonNode all) {
        List<String> explanations = new ArrayList<>();
        all.forEach(f -> {
            if (f.hasNonNull("explanation")) {
                explanations.add(f.get("explanation").asText().toLowerCase(Locale.ROOT));
            }
        });
        java.util.TreeMap<String, Integer> counts = new java.util.TreeMap<>();
        for (String e : explanations) {
            Matcher m = Pattern.compile("\\p{L}{4,}").matcher(e);
            while (m.find()) {
                counts.put(m.group(), 0);
            }
        }
        String best = null;
        long bestCount = Long.MAX_VALUE;
        for (String w : counts.keySet()) {
            Pattern whole = Pattern.compile("(?<!\\p{L})" + Pattern.quote(w) + "(?!\\p{L})");
            long substring = explanations.stream().filter(e -> e.contains(w)).count();
            long words =
                    explanations.stream().filter(e -> whole.matcher(e).find()).count();
            if (substring == words && substring < bestCount) {
                best = w;
                bestCount = substring;
            }
        }
        assertThat(best).as("a word in some explanation").isNotNull();
        return best;
    }

    /** The labelled feature (other than the XSS one) with the most activations. */
    private static int bestLabelledFeature() throws Exception {
        for (JsonNode s :
                api("/api/features?sae=" + enc(sae) + "&sort=density&limit=100").get("items")) {
            if ("ok".equals(s.path("labelStatus").asText())
                    && s.get("index").asInt() != xssFeature
                    && s.hasNonNull("score")) {
                return s.get("index").asInt();
            }
        }
        throw new AssertionError("no labelled feature among the 100 densest");
    }

    /** The list's row indexes, read in one step (the list re-renders while the catalogue changes). */
    @SuppressWarnings("unchecked")
    private static List<String> rowIndexes() {
        return (List<String>) browser.script(
                "return [...document.querySelectorAll('#feature-table tbody tr')].map(r => r.dataset.index)");
    }

    @SuppressWarnings("unchecked")
    private static List<String> texts(String css) {
        return (List<String>)
                browser.script("return [...document.querySelectorAll(arguments[0])].map(e => e.textContent)", css);
    }

    private static void awaitText(String css, String text) {
        browser.await(d -> {
            List<WebElement> e = browser.all(css);
            return !e.isEmpty() && e.get(0).getText().equals(text);
        });
    }

    private static double valueOf(JsonNode token, int feature) {
        for (JsonNode f : token.get("features")) {
            if (f.get("index").asInt() == feature) {
                return f.get("value").asDouble();
            }
        }
        return 0;
    }

    /** The alpha of a computed CSS colour: rgba(r, g, b, a), or rgb(...) for opaque. */
    static double alpha(String css) {
        Matcher m = RGBA.matcher(css);
        assertThat(m.matches()).as("a computed colour, got %s", css).isTrue();
        return m.group(4) == null ? 1 : Double.parseDouble(m.group(4));
    }

    private static String joined(JsonNode tokens) {
        StringBuilder b = new StringBuilder();
        tokens.forEach(t -> b.append(display(t.asText())));
        return b.toString();
    }

    /** As JavaScript's Number(x.toPrecision(3)).toString() for the usual range. */
    private static String precision3(double x) {
        return new BigDecimal(x)
                .round(new java.math.MathContext(3, RoundingMode.HALF_UP))
                .stripTrailingZeros()
                .toPlainString();
    }

    /** The page's line-break and tab marks. */
    private static String display(String token) {
        return token.replaceAll("\\r\\n|\\r|\\n", "↵").replace("\t", "⇥");
    }

    private static String grouped(long n) {
        return String.format(Locale.US, "%,d", n);
    }

    /** As JavaScript's toFixed(2): the exact binary value rounded half up. */
    private static String fixed(double x) {
        return new BigDecimal(x).setScale(2, RoundingMode.HALF_UP).toPlainString();
    }

    private static String scoreText(JsonNode s) {
        return fixed(s.get("value").asDouble()) + " [" + fixed(s.get("ciLow").asDouble()) + ", "
                + fixed(s.get("ciHigh").asDouble()) + "] n="
                + grouped(s.get("n").asLong());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static JsonNode api(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(base + path.substring(1))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        return Json.MAPPER.readTree(r.body());
    }

    private static JsonNode post(String path, Object body) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(base + path.substring(1)))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("POST %s: %s", path, r.body()).isEqualTo(200);
        return Json.MAPPER.readTree(r.body());
    }

    private static void screenshot(String name) throws IOException {
        List<Path> dirs = new ArrayList<>(List.of(Path.of("target", "screenshots")));
        String extra = System.getProperty("saestream.screenshots");
        if (extra != null && !extra.isBlank()) {
            dirs.add(Path.of(extra));
        }
        browser.screenshot(name, 1366, 1400, dirs);
        assertThat(Files.size(dirs.get(0).resolve(name + ".png"))).isPositive();
    }
}
