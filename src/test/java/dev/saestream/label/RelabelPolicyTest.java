package dev.saestream.label;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.label.RelabelPolicy.Decision;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RelabelPolicyTest {
    private static final long HOUR = 3_600_000;
    private static final LabelConfig LLM = LabelConfig.DEFAULTS.withExplainer(LabelConfig.ExplainerKind.LLM);
    private final RelabelPolicy policy = new RelabelPolicy(LLM);

    private static List<String> ids(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "doc" + i + "#3").toList();
    }

    private static RelabelCandidate summary(long version, long windows, double density, List<String> top) {
        return new RelabelCandidate("sae/1", version, windows, density, top);
    }

    private static Label label(long version, double density, List<String> top, long createdMs, Label.Status status) {
        return new Label(
                "sae",
                1,
                status,
                status == Label.Status.FAILED ? "the answer is not JSON" : null,
                status == Label.Status.OK ? "x" : null,
                new Label.ExplainerInfo("offline", null, "m"),
                Map.of(),
                Cost.NONE,
                new Label.Basis(version, density, 100, 100, 1f, top, List.of(), List.of(), List.of()),
                createdMs,
                List.of(),
                List.of());
    }

    @Test
    void aFeatureIsLabelledOnceItHasEnoughWindows() {
        assertThat(policy.decide(summary(1, 19, 0.01, ids(0, 19)), null, 0).decision())
                .isEqualTo(Decision.NOT_READY);
        assertThat(policy.decide(summary(2, 20, 0.01, ids(0, 20)), null, 0).decision())
                .isEqualTo(Decision.NEW);
    }

    @Test
    void aLabelledVersionIsNeverPaidForTwice() {
        Label last = label(7, 0.01, ids(0, 50), 0, Label.Status.OK);
        assertThat(policy.decide(summary(7, 500, 0.5, ids(100, 150)), last, 10 * HOUR)
                        .decision())
                .isEqualTo(Decision.UNCHANGED);
        Label failed = label(7, 0.01, ids(0, 50), 0, Label.Status.FAILED);
        assertThat(policy.decide(summary(7, 500, 0.01, ids(0, 50)), failed, 10 * HOUR)
                        .decision())
                .isEqualTo(Decision.UNCHANGED);
    }

    @Test
    void aLabelIsRenewedWhenItSawLessThanTheThresholdShareOfTheCurrentTopWindows() {
        Label last = label(7, 0.01, ids(0, 50), 0, Label.Status.OK);
        // the label saw 25 of the current 50 top windows: 50%, not below the 0.5 threshold
        assertThat(policy.decide(summary(8, 500, 0.01, concat(ids(0, 25), ids(100, 125))), last, 2 * HOUR)
                        .decision())
                .isEqualTo(Decision.UNCHANGED);
        // 24 of 50: below it
        RelabelPolicy.Verdict v =
                policy.decide(summary(8, 500, 0.01, concat(ids(0, 24), ids(100, 126))), last, 2 * HOUR);
        assertThat(v.decision()).isEqualTo(Decision.CHANGED);
        assertThat(v.reason()).isEqualTo("label based on 48% of the current top windows");
        // a top that grew: the label saw 20 windows, all still there, of 60 now (33%)
        Label young = label(7, 0.01, ids(0, 20), 0, Label.Status.OK);
        assertThat(policy.decide(summary(8, 500, 0.01, ids(0, 60)), young, 2 * HOUR)
                        .reason())
                .isEqualTo("label based on 33% of the current top windows");
    }

    @Test
    void basisShareCountsTheCurrentTopWindowsTheLabelSaw() {
        // brute force over random subsets: |seen ∩ now| / |now|
        java.util.Random random = new java.util.Random(5);
        for (int trial = 0; trial < 200; trial++) {
            List<String> seen = new ArrayList<>();
            List<String> now = new ArrayList<>();
            for (int i = 0; i < 80; i++) {
                if (random.nextInt(3) == 0) {
                    seen.add("d#" + i);
                }
                if (random.nextInt(2) == 0) {
                    now.add("d#" + i);
                }
            }
            long both = now.stream().filter(seen::contains).count();
            double expected = now.isEmpty() ? 1 : (double) both / now.size();
            assertThat(RelabelPolicy.basisShare(seen, now)).isEqualTo(expected);
        }
        assertThat(RelabelPolicy.basisShare(ids(0, 50), ids(0, 50))).isEqualTo(1.0);
        assertThat(RelabelPolicy.basisShare(List.of(), ids(0, 50))).isEqualTo(0.0);
    }

    @Test
    void densityMovingByTwoEitherWayIsAMaterialChange() {
        Label last = label(7, 0.01, ids(0, 50), 0, Label.Status.OK);
        assertThat(policy.decide(summary(8, 500, 0.0199, ids(0, 50)), last, 2 * HOUR)
                        .decision())
                .isEqualTo(Decision.UNCHANGED);
        assertThat(policy.decide(summary(8, 500, 0.02, ids(0, 50)), last, 2 * HOUR)
                        .decision())
                .isEqualTo(Decision.CHANGED);
        assertThat(policy.decide(summary(8, 500, 0.005, ids(0, 50)), last, 2 * HOUR)
                        .decision())
                .isEqualTo(Decision.CHANGED);
    }

    @Test
    void aChangeWaitsForTheRelabelInterval() {
        Label last = label(7, 0.01, ids(0, 50), 1000, Label.Status.OK);
        RelabelPolicy.Verdict v = policy.decide(summary(8, 500, 0.04, ids(0, 50)), last, 1000 + HOUR - 1);
        assertThat(v.decision()).isEqualTo(Decision.WAIT);
        assertThat(v.notBeforeMs()).isEqualTo(1000 + HOUR);
        assertThat(policy.decide(summary(8, 500, 0.04, ids(0, 50)), last, 1000 + HOUR)
                        .decision())
                .isEqualTo(Decision.CHANGED);
    }

    @Test
    void theOfflineExplainerWaitsSecondsNotAnHour() {
        RelabelPolicy offline = new RelabelPolicy(LabelConfig.DEFAULTS);
        long wait = LabelConfig.DEFAULTS.relabel().offlineIntervalSeconds() * 1000;
        Label last = label(7, 0.01, ids(0, 50), 1000, Label.Status.OK);
        RelabelCandidate moved = summary(8, 500, 0.01, ids(100, 150));
        assertThat(offline.decide(moved, last, 1000 + wait - 1).decision()).isEqualTo(Decision.WAIT);
        assertThat(offline.decide(moved, last, 1000 + wait).decision()).isEqualTo(Decision.CHANGED);
        assertThat(policy.decide(moved, last, 1000 + wait).decision()).isEqualTo(Decision.WAIT);
    }

    @Test
    void aFailedLabelIsTriedAgainOnALaterVersion() {
        Label failed = label(7, 0.01, ids(0, 50), 0, Label.Status.FAILED);
        assertThat(policy.decide(summary(8, 500, 0.01, ids(0, 50)), failed, 2 * HOUR)
                        .reason())
                .isEqualTo("the last label failed");
    }

    @Test
    void neverLabelledFeaturesComeFirstThenByDensity() {
        record C(String key, boolean neverLabelled, double density) implements RelabelPolicy.Candidate {}
        List<C> work = new ArrayList<>(List.of(
                new C("a", false, 0.5),
                new C("b", true, 0.001),
                new C("c", true, 0.01),
                new C("d", false, 0.9),
                new C("e", true, 0.01)));
        work.sort(RelabelPolicy.PRIORITY);
        assertThat(work).extracting(C::key).containsExactly("c", "e", "b", "d", "a");
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
