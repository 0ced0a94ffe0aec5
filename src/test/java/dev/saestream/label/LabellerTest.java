package dev.saestream.label;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.catalog.BackgroundWindow;
import dev.saestream.catalog.FeatureState;
import dev.saestream.config.Settings;
import dev.saestream.formats.Npy;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One feature through the offline labeller: hard negatives from a decoder file, warnings, history. */
class LabellerTest {
    private static SyntheticCatalog catalog;
    private static List<BackgroundWindow> windows;
    private static BackgroundIndex background;
    @TempDir
    static Path dir;

    @BeforeAll
    static void corpus() {
        catalog = new SyntheticCatalog("test-sae", SyntheticCatalog.englishDocs(250), SyntheticCatalog.standardSpecs());
        windows = catalog.background(400, 9);
        background = new BackgroundIndex();
        windows.forEach(w -> background.put(w.id(), w));
    }

    @Test
    void hardNegativesComeFromTheFeaturesWithTheClosestDecoderDirections() throws Exception {
        // given a decoder where "Parliament" (0) points almost where "Union" (11) does, and nowhere near the rest
        int features = catalog.specs.size();
        int width = features;
        float[] decoder = new float[features * width];
        for (int f = 0; f < features; f++) {
            decoder[f * width + f] = 1f;
        }
        decoder[0 * width + 11] = 0.9f;
        Path file = dir.resolve("decoder.npy");
        Npy.writeFloats(file, decoder, features, width);
        LabelConfig cfg = Settings.defaultsOnly().section("label", LabelConfig.DEFAULTS,
                Map.of("hardNegatives", 8, "similarFeatures", 1, "decoders", Map.of("test-sae", file.toString())));
        // when feature 0 is labelled
        Label label = Labeller.create(cfg, background, Map.of()).label(catalog.state(0, 1), null);
        // then eight of its negatives are windows where "Union" fires and "Parliament" does not
        Map<String, BackgroundWindow> byId = new HashMap<>();
        windows.forEach(w -> byId.put(w.id(), w));
        List<String> negatives = label.basis().negativeIds();
        assertThat(negatives).hasSize(58).doesNotHaveDuplicates();
        for (String id : negatives.subList(50, 58)) {
            assertThat(byId.get(id).fires(11)).as(id).isTrue();
            assertThat(byId.get(id).fires(0)).as(id).isFalse();
        }
        assertThat(label.scores().get("embedding").n()).isEqualTo(label.basis().scoreIds().size() + 58);
    }

    @Test
    void withoutNonActivatingWindowsTheLabelSaysWhyItIsNotScored() throws Exception {
        Label label = Labeller.create(LabelConfig.DEFAULTS, new BackgroundIndex(), Map.of()).label(catalog.state(2, 1), null);
        assertThat(label.status()).isEqualTo(Label.Status.OK);
        assertThat(label.scores()).isEmpty();
        assertThat(label.warnings()).singleElement().asString().matches(
                "not scored: [1-9]\\d* held-out activating and 0 non-activating windows \\(need at least one of each\\)");
    }

    @Test
    void historyKeepsTheNewestEarlierLabelsUpToItsSize() throws Exception {
        LabelConfig cfg = Settings.defaultsOnly().section("label", LabelConfig.DEFAULTS, Map.of("historySize", 2));
        Labeller labeller = Labeller.create(cfg, new BackgroundIndex(), Map.of());
        Label last = null;
        for (long v = 1; v <= 4; v++) {
            FeatureState s = catalog.state(2, v);
            last = labeller.label(s, last);
        }
        assertThat(last.basis().version()).isEqualTo(4);
        assertThat(last.history()).extracting(Label.HistoryEntry::version).containsExactly(3L, 2L);
    }
}
