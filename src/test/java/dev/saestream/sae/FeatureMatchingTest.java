package dev.saestream.sae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FeatureMatchingTest {
    @Test
    void aPermutedSignPreservingCopyMatchesEveryFeatureToItsTwinAtCosineOne() {
        // given B = A's decoder rows permuted and each scaled by a positive factor
        Sae a = TestSaes.random(Architecture.TOPK, 24, 300, 8, 1);
        List<Integer> perm = new ArrayList<>();
        for (int j = 0; j < 300; j++) {
            perm.add(j);
        }
        Collections.shuffle(perm, new Random(2));
        SaeWeights w = SaeWeights.zeros(a.config());
        Random scale = new Random(3);
        for (int j = 0; j < 300; j++) {
            float s = 0.5f + 2 * scale.nextFloat();
            for (int p = 0; p < 24; p++) {
                w.wDec()[perm.get(j) * 24 + p] = a.weights().wDec()[j * 24 + p] * s;
            }
        }
        Sae b = Sae.of(a.config(), w);
        // when
        FeatureMatching.Result r = FeatureMatching.match(a, b, 4, 2);
        // then
        assertThat(r.pairs()).hasSize(300);
        assertThat(r.unmatchedA()).isEmpty();
        assertThat(r.unmatchedB()).isEmpty();
        for (FeatureMatching.Match m : r.pairs()) {
            assertThat(m.b()).as("twin of %d", m.a()).isEqualTo(perm.get(m.a()));
            assertThat(m.cosine()).isCloseTo(1.0, within(1e-5));
        }
    }

    @Test
    void blockedMatchingEqualsThePairByPairReference() {
        // given two independent SAEs of different widths (so some of A stay unmatched)
        Sae a = TestSaes.random(Architecture.TOPK, 16, 120, 4, 11);
        Sae b = TestSaes.random(Architecture.TOPK, 16, 90, 4, 12);
        // when
        FeatureMatching.Result fast = FeatureMatching.match(a, b, 5, 1);
        FeatureMatching.Result ref = FeatureMatching.matchReference(a, b, 5);
        // then: the same pairs in the same order, the same unmatched, the same best cosines
        assertThat(fast.pairs()).hasSameSizeAs(ref.pairs());
        for (int i = 0; i < ref.pairs().size(); i++) {
            assertThat(fast.pairs().get(i).a()).isEqualTo(ref.pairs().get(i).a());
            assertThat(fast.pairs().get(i).b()).isEqualTo(ref.pairs().get(i).b());
            assertThat(fast.pairs().get(i).cosine())
                    .isCloseTo(ref.pairs().get(i).cosine(), within(1e-5));
        }
        assertThat(fast.unmatchedA()).containsExactly(ref.unmatchedA());
        assertThat(fast.unmatchedB()).containsExactly(ref.unmatchedB());
        for (int i = 0; i < 120; i++) {
            assertThat(fast.bestA()[i]).isCloseTo(ref.bestA()[i], within(1e-5));
        }
        // one-to-one: no feature of B twice, and every A either paired or listed
        assertThat(fast.pairs().stream()
                        .map(FeatureMatching.Match::b)
                        .distinct()
                        .count())
                .isEqualTo(fast.pairs().size());
        assertThat(fast.pairs().size() + fast.unmatchedA().length).isEqualTo(120);
        assertThat(fast.pairs().size() + fast.unmatchedB().length).isEqualTo(90);
    }

    @Test
    void saesAtDifferentWidthsOfActivationCannotBeMatched() {
        Sae a = TestSaes.random(Architecture.TOPK, 16, 20, 4, 1);
        Sae b = TestSaes.random(Architecture.TOPK, 24, 20, 4, 1);
        assertThatThrownBy(() -> FeatureMatching.match(a, b, 4, 1)).hasMessageContaining("d_in 16 and 24");
    }
}
