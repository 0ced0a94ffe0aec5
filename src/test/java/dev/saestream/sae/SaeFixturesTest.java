package dev.saestream.sae;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.formats.NpyArray;
import java.io.IOException;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every architecture × normalisation × stored dtype, against NumPy's float64 computation of
 * SAELens's inference SAEs (src/test/python/sae_fixtures.py): same active features in the same
 * order, values and reconstructions within 1e-5 relative, for every encoder.
 */
class SaeFixturesTest {
    static final double TOLERANCE = 1e-5;

    static Stream<Arguments> cases() throws IOException {
        List<Function<Sae, SaeEncoder>> encoders = List.of(
                ReferenceEncoder::new,
                s -> new BlockedEncoder(s, 1),
                s -> new BlockedEncoder(s, 2),
                s -> new OnnxSaeEncoder(s, 1, 8));
        return SaeFixtures.names().stream().flatMap(n -> encoders.stream().map(e -> Arguments.of(n, e)));
    }

    @ParameterizedTest(name = "{0} #{index}")
    @MethodSource("cases")
    void encodeAndDecodeMatchNumpy(String fixture, Function<Sae, SaeEncoder> make) throws IOException {
        // given
        Sae sae = Sae.load(SaeFixtures.root().resolve(fixture));
        NpyArray x = SaeFixtures.npy(fixture, "x.npy");
        SparseCode[] want = SaeFixtures.expectedCodes(fixture);
        int dSae = sae.config().dSae();

        // when
        SparseCode[] got;
        try (SaeEncoder encoder = make.apply(sae)) {
            got = encoder.encode(x.floats(), x.rows());
        }
        float[] recon = sae.decode(got, x.floats());

        // then
        assertThat(got).hasSameSizeAs(want);
        for (int r = 0; r < want.length; r++) {
            assertThat(got[r].indices()).as("%s row %d features", fixture, r).containsExactly(want[r].indices());
        }
        assertThat(SaeFixtures.rowRelativeError(SaeFixtures.dense(got, dSae), SaeFixtures.dense(want, dSae), dSae))
                .as("%s values", fixture)
                .isLessThanOrEqualTo(TOLERANCE);
        assertThat(SaeFixtures.rowRelativeError(
                        recon,
                        SaeFixtures.npy(fixture, "recon.npy").floats(),
                        sae.config().dIn()))
                .as("%s reconstruction", fixture)
                .isLessThanOrEqualTo(TOLERANCE);
    }
}
