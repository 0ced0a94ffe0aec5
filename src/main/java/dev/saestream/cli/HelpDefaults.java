package dev.saestream.cli;

import dev.saestream.config.ConfigException;
import dev.saestream.config.Settings;
import dev.saestream.encode.EncodeConfig;
import dev.saestream.kafka.BrokerConfig;
import dev.saestream.model.ModelConfig;
import dev.saestream.produce.ProduceConfig;
import dev.saestream.sae.TrainConfig;
import java.lang.reflect.RecordComponent;
import java.util.Locale;

/**
 * The defaults the help text shows, read from the config records as the configuration resolves them
 * (code defaults, then the default config file and the environment), so that help never repeats a
 * number that a record changed. An option's description names one as
 * {@code ${sys:saestream.default.SECTION.FIELD}}, which picocli fills in when it prints the help.
 */
final class HelpDefaults {
    static final String PREFIX = "saestream.default.";

    private HelpDefaults() {}

    static void install() {
        Settings settings;
        try {
            settings = Settings.load(null);
        } catch (ConfigException unreadable) {
            settings = Settings.defaultsOnly();
        }
        put(settings, BrokerConfig.SECTION, BrokerConfig.defaults());
        put(settings, EncodeConfig.SECTION, EncodeConfig.defaults());
        put(settings, ModelConfig.SECTION, ModelConfig.defaults());
        put(settings, ProduceConfig.SECTION, ProduceConfig.defaults());
        put(settings, "train", TrainConfig.defaults());
    }

    private static <R extends Record> void put(Settings settings, String section, R defaults) {
        R effective;
        try {
            effective = settings.section(section, defaults);
        } catch (RuntimeException badSetting) {
            // the command itself reports it; the help shows the code's default
            effective = defaults;
        }
        for (RecordComponent c : effective.getClass().getRecordComponents()) {
            try {
                Object v = c.getAccessor().invoke(effective);
                if (v != null) {
                    System.setProperty(PREFIX + section + "." + c.getName(), format(c.getName(), v));
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + section + "." + c.getName(), e);
            }
        }
    }

    private static String format(String field, Object v) {
        // counts read better grouped (2,000,000 tokens); a port is a name, not a quantity
        if ((v instanceof Integer || v instanceof Long) && !field.toLowerCase(Locale.ROOT).endsWith("port")) {
            return String.format(Locale.ROOT, "%,d", ((Number) v).longValue());
        }
        if (v instanceof Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT);
        }
        return String.valueOf(v);
    }
}
