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
    private final RelabelPolicy policy = new RelabelPolicy(LabelConfig.DEFAULTS);

    private static List<String> ids(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "doc" + i + "#3").toList();
    }

    private static FeatureSummary summary(long version, long windows, double density, List<String> top) {
        return new FeatureSummary("sae/1", version, windows, density, top);
    }

    private static Label label(long version, double density, List<String> top, long createdMs, Label.Status status) {
        return new Label("sae", 1, status, status == Label.Status.FAILED ? "the answer is not JSON" : null,
                status == Label.Status.OK ? "x" : null, new Label.ExplainerInfo("offline", null, "m"), Map.of(), Cost.NONE,
                new Label.Basis(version, density, 100, 100, 1f, top, List.of(), List.of(), List.of()), createdMs,
                List.of(), List.of());
    }

    @Test
    void aFeatureIsLabelledOnceItHasEnoughWindows() {
        assertThat(policy.decide(summary(1, 19, 0.01, ids(0, 19)), null, 0).decision()).isEqualTo(Decision.NOT_READY);
        assertThat(policy.decide(summary(2, 20, 0.01, ids(0, 20)), null, 0).decision()).isEqualTo(Decision.NEW);
    }

    @Test
    void aLabelledVersionIsNeverPaidForTwice() {
        Label last = label(7, 0.01, ids(0, 50), 0, Label.Status.OK);
        assertThat(policy.decide(summary(7, 500, 0.5, ids(100, 150)), last, 10 * HOUR).decision()).isEqualTo(Decision.UNCHANGED);
        Label failed = label(7, 0.01, ids(0, 50), 0, Label.Status.FAILED);
        assertThat(policy.decide(summary(7, 500, 0.01, ids(0, 50)), failed, 10 * HOUR).decision()).isEqualTo(Decision.UNCHANGED);
    }

    @Test
    void halfTheTopWindowsReplacedIsAMaterialChange() {
        Label last = label(7, 0.01, ids(0, 50), 0, Label.Status.OK);
        // 24 of 50 replaced: not yet; 25 of 50: yes
        assertThat(policy.decide(summary(8, 500, 0.01, concat(ids(0, 26), ids(100, 124))), last, 2 * HOUR).decision())
                .isEqualTo(Decision.UNCHANGED);
        RelabelPolicy.Verdict v = policy.decide(summary(8, 500, 0.01, concat(ids(0, 25), ids(100, 125))), last, 2 * HOUR);
        assertThat(v.decision()).isEqualTo(Decision.CHANGED);
        assertThat(v.reason()).isEqualTo("50% of the top windows replaced");
    }

    @Test
    void densityMovingByTwoEitherWayIsAMaterialChange() {
        Label last = label(7, 0.01, ids(0, 50), 0, Label.Status.OK);
        assertThat(policy.decide(summary(8, 500, 0.0199, ids(0, 50)), last, 2 * HOUR).decision()).isEqualTo(Decision.UNCHANGED);
        assertThat(policy.decide(summary(8, 500, 0.02, ids(0, 50)), last, 2 * HOUR).decision()).isEqualTo(Decision.CHANGED);
        assertThat(policy.decide(summary(8, 500, 0.005, ids(0, 50)), last, 2 * HOUR).decision()).isEqualTo(Decision.CHANGED);
    }

    @Test
    void aChangeWaitsForTheRelabelInterval() {
        Label last = label(7, 0.01, ids(0, 50), 1000, Label.Status.OK);
        RelabelPolicy.Verdict v = policy.decide(summary(8, 500, 0.04, ids(0, 50)), last, 1000 + HOUR - 1);
        assertThat(v.decision()).isEqualTo(Decision.WAIT);
        assertThat(v.notBeforeMs()).isEqualTo(1000 + HOUR);
        assertThat(policy.decide(summary(8, 500, 0.04, ids(0, 50)), last, 1000 + HOUR).decision()).isEqualTo(Decision.CHANGED);
    }

    @Test
    void aFailedLabelIsTriedAgainOnALaterVersion() {
        Label failed = label(7, 0.01, ids(0, 50), 0, Label.Status.FAILED);
        assertThat(policy.decide(summary(8, 500, 0.01, ids(0, 50)), failed, 2 * HOUR).reason()).isEqualTo("the last label failed");
    }

    @Test
    void neverLabelledFeaturesComeFirstThenByDensity() {
        record C(String key, boolean neverLabelled, double density) implements RelabelPolicy.Candidate {}
        List<C> work = new ArrayList<>(List.of(new C("a", false, 0.5), new C("b", true, 0.001), new C("c", true, 0.01),
                new C("d", false, 0.9), new C("e", true, 0.01)));
        work.sort(RelabelPolicy.PRIORITY);
        assertThat(work).extracting(C::key).containsExactly("c", "e", "b", "d", "a");
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
