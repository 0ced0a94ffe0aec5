package dev.saestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.catalog.CatalogConfig;
import dev.saestream.config.Settings;
import dev.saestream.kafka.BrokerConfig;
import dev.saestream.label.LabelConfig;
import dev.saestream.model.ModelConfig;
import dev.saestream.produce.ProduceConfig;
import dev.saestream.sae.TrainConfig;
import dev.saestream.serve.ServeConfig;
import java.util.Locale;
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
        assertThat(trainHelp)
                .contains("(default " + grouped(train.width()) + ")")
                .contains("(default " + grouped(train.k()) + ")")
                .contains("(default " + grouped(train.tokens()) + ")")
                .contains("(default " + grouped(train.seed()) + ")")
                .contains("(default " + train.auxKCoefficient() + ")")
                .contains("(default " + grouped(model.batchSize()) + ")");
        String brokerHelp = usage("broker");
        assertThat(brokerHelp)
                .contains("(default " + broker.port() + ";")
                .contains("(default " + broker.controllerPort() + ")")
                .contains("(default " + broker.host() + ")");
        LabelConfig label = settings.section(LabelConfig.SECTION, LabelConfig.DEFAULTS);
        String labelHelp = flat(usage("label"));
        assertThat(labelHelp)
                .contains("(default " + label.explainer().json() + ")")
                .contains("(default "
                        + String.join(
                                ",",
                                label.scorers().stream()
                                        .map(LabelConfig.ScorerKind::json)
                                        .toList()) + ")")
                .contains("(default " + label.llm().provider().json() + ")")
                .contains("(default " + grouped(label.limits().concurrency()) + ")");
        CatalogConfig catalog = settings.section(CatalogConfig.SECTION, CatalogConfig.defaults());
        ServeConfig serve = settings.section(ServeConfig.SECTION, ServeConfig.defaults());
        assertThat(flat(usage("catalog")))
                .contains("(default " + catalog.stateDir() + ")")
                .contains("(default " + catalog.applicationId() + ")");
        assertThat(flat(usage("serve")))
                .contains("(default " + serve.host() + ";")
                .contains("(default " + serve.port() + ";");
        assertThat(flat(usage("produce")))
                .contains("(default "
                        + settings.section(ProduceConfig.SECTION, ProduceConfig.defaults())
                                .lang() + ")");
        assertThat(flat(usage("encode")))
                .contains("(default " + model.name() + ")")
                .contains("(default " + model.hook() + ")");
        for (String help : new String[] {
            trainHelp,
            brokerHelp,
            labelHelp,
            usage("encode"),
            usage("produce"),
            usage("catalog"),
            usage("serve"),
            usage("run")
        }) {
            assertThat(help)
                    .doesNotContain("${")
                    .doesNotContain(HelpDefaults.PREFIX)
                    .doesNotContain("(default null)");
        }
    }

    private static String usage(String... command) {
        CommandLine cl = Main.commandLine();
        for (String c : command) {
            cl = cl.getSubcommands().get(c);
        }
        return cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    /** The help on one line: picocli wraps long descriptions, splitting "(default …)" across lines. */
    private static String flat(String help) {
        return help.replaceAll("\\s+", " ");
    }

    private static String grouped(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }
}
