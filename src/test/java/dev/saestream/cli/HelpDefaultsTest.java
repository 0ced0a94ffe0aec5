package dev.saestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.config.Settings;
import dev.saestream.kafka.BrokerConfig;
import dev.saestream.model.ModelConfig;
import dev.saestream.sae.TrainConfig;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The help text's defaults are the config records' own, as the configuration resolves them. */
class HelpDefaultsTest {
    @Test
    void helpShowsTheRecordsDefaults() {
        Settings settings = Settings.load(null);
        TrainConfig train = settings.section("train", TrainConfig.defaults());
        BrokerConfig broker = settings.section(BrokerConfig.SECTION, BrokerConfig.defaults());
        ModelConfig model = settings.section(ModelConfig.SECTION, ModelConfig.defaults());

        String trainHelp = usage("sae", "train");
        assertThat(trainHelp).contains("(default " + grouped(train.width()) + ")")
                .contains("(default " + grouped(train.k()) + ")")
                .contains("(default " + grouped(train.tokens()) + ")")
                .contains("(default " + grouped(train.seed()) + ")")
                .contains("(default " + train.auxKCoefficient() + ")")
                .contains("(default " + grouped(model.batchSize()) + ")");
        String brokerHelp = usage("broker");
        assertThat(brokerHelp).contains("(default " + broker.port() + ";")
                .contains("(default " + broker.controllerPort() + ")")
                .contains("(default " + broker.host() + ")");
        for (String help : new String[] {trainHelp, brokerHelp, usage("encode"), usage("produce")}) {
            assertThat(help).doesNotContain("${").doesNotContain(HelpDefaults.PREFIX).doesNotContain("(default null)");
        }
    }

    private static String usage(String... command) {
        CommandLine cl = Main.commandLine();
        for (String c : command) {
            cl = cl.getSubcommands().get(c);
        }
        return cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    private static String grouped(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }
}
