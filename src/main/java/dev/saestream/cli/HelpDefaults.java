package dev.saestream.cli;

import dev.saestream.catalog.CatalogConfig;
import dev.saestream.config.ConfigException;
import dev.saestream.config.Settings;
import dev.saestream.encode.EncodeConfig;
import dev.saestream.kafka.BrokerConfig;
import dev.saestream.kafka.ClusterConfig;
import dev.saestream.label.LabelConfig;
import dev.saestream.model.ModelConfig;
import dev.saestream.produce.ProduceConfig;
import dev.saestream.sae.TrainConfig;
import dev.saestream.serve.ServeConfig;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The defaults the help text shows, read from the config records as the configuration resolves them
 * (code defaults, then the default config file and the environment), so that help never repeats a
 * number that a record changed. An option's description names one as
 * {@code ${sys:saestream.default.SECTION.FIELD}} (a nested field by its path,
 * {@code ${sys:saestream.default.label.limits.concurrency}}), which picocli fills in when it prints the help.
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
        put(settings, CatalogConfig.SECTION, CatalogConfig.defaults());
        put(settings, ClusterConfig.SECTION, ClusterConfig.defaults());
        put(settings, ServeConfig.SECTION, ServeConfig.defaults());
        put(settings, LabelConfig.SECTION, LabelConfig.DEFAULTS);
    }

    private static <R extends Record> void put(Settings settings, String section, R defaults) {
        R effective;
        try {
            effective = settings.section(section, defaults);
        } catch (RuntimeException badSetting) {
            // the command itself reports it; the help shows the code's default
            effective = defaults;
        }
        publish(section, effective);
    }

    /** Publishes every field of {@code record} under {@code path}; a nested record's under its own path (label.llm.model). */
    private static void publish(String path, Record record) {
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            try {
                Object v = c.getAccessor().invoke(record);
                if (v instanceof Record nested) {
                    publish(path + "." + c.getName(), nested);
                } else if (v != null) {
                    System.setProperty(PREFIX + path + "." + c.getName(), format(c.getName(), v));
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + path + "." + c.getName(), e);
            }
        }
    }

    private static String format(String field, Object v) {
        // counts read better grouped (2,000,000 tokens); a port is a name, not a quantity
        if ((v instanceof Integer || v instanceof Long)
                && !field.toLowerCase(Locale.ROOT).endsWith("port")) {
            return String.format(Locale.ROOT, "%,d", ((Number) v).longValue());
        }
        if (v instanceof Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT);
        }
        if (v instanceof List<?> list) {
            // as the flag takes it: comma-separated
            return list.stream().map(x -> format(field, x)).collect(Collectors.joining(","));
        }
        return String.valueOf(v);
    }
}
