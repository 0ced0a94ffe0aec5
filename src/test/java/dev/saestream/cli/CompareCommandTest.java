package dev.saestream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saestream.formats.Json;
import dev.saestream.sae.Architecture;
import dev.saestream.sae.Sae;
import dev.saestream.sae.SaeWeights;
import dev.saestream.sae.TestSaes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CompareCommandTest {
    @TempDir
    Path dir;

    @Test
    void aReversedCopyIsMatchedTwinForTwinInTheOutputAndTheFile() throws Exception {
        // given B = A with its features in reverse order, under its own id
        Sae a = TestSaes.random(Architecture.TOPK, 16, 40, 4, 5);
        SaeWeights w = SaeWeights.zeros(a.config());
        for (int j = 0; j < 40; j++) {
            System.arraycopy(a.weights().wDec(), j * 16, w.wDec(), (39 - j) * 16, 16);
        }
        a.save(dir.resolve("a"));
        Sae.of(a.config(), w).withId("reversed/layer3/topk-40").save(dir.resolve("b"));
        Path out = dir.resolve("pairs.jsonl");
        // when
        StringWriter printed = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(printed));
        int status = cl.execute(
                "compare",
                "--sae",
                dir.resolve("a").toString(),
                "--sae",
                dir.resolve("b").toString(),
                "--out",
                out.toString(),
                "--show",
                "2");
        // then
        assertThat(status).isZero();
        assertThat(printed.toString())
                .contains("40 pairs, 0 of A and 0 of B unmatched")
                .contains("best-match cosine of A's features: mean 1.000");
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(40);
        for (String line : lines) {
            JsonNode n = Json.MAPPER.readTree(line);
            assertThat(n.at("/b/index").asInt()).isEqualTo(39 - n.at("/a/index").asInt());
            assertThat(n.at("/b/saeId").asText()).isEqualTo("reversed/layer3/topk-40");
            assertThat(n.get("cosine").asDouble()).isCloseTo(1.0, within(1e-6));
        }
    }

    @Test
    void oneSaeOrTwoWithTheSameIdAreRefusedWithAReason() throws Exception {
        TestSaes.random(Architecture.TOPK, 16, 40, 4, 5).save(dir.resolve("a"));
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute("compare", "--sae", dir.resolve("a").toString())).isEqualTo(ExitCode.ERROR);
        assertThat(cl.execute(
                        "compare",
                        "--sae",
                        dir.resolve("a").toString(),
                        "--sae",
                        dir.resolve("a").toString()))
                .isEqualTo(ExitCode.ERROR);
        assertThat(err.toString()).contains("give exactly two SAEs").contains("give one a new id");
    }
}
