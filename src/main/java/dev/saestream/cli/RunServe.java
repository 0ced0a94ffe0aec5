package dev.saestream.cli;

import dev.saestream.config.Settings;
import dev.saestream.encode.EncodeCounters;
import dev.saestream.label.LabelService;
import dev.saestream.pipeline.KafkaSession;
import dev.saestream.pipeline.Labelling;
import dev.saestream.pipeline.Pipeline;
import dev.saestream.serve.CatalogView;
import dev.saestream.serve.EncoderSlot;
import dev.saestream.serve.KnownSaes;
import dev.saestream.serve.LocalStages;
import dev.saestream.serve.ServeConfig;
import dev.saestream.serve.ServeServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.util.List;

/**
 * The web server inside {@code run}: the same server as {@code serve}, over its own view of the
 * topics, lent the pipeline's encoder (thread-safe; see {@link EncoderSlot#lent}) and SAE, and
 * told the stages' live counters.
 */
final class RunServe {
    private RunServe() {}

    static ServeServer start(
            Settings settings, ServeConfig config, KafkaSession session, Pipeline pipeline, Labelling labelling) {
        return ServeServer.start(
                config,
                CatalogView.start(session.clientConfig()),
                new KnownSaes(List.of(
                        pipeline.encoder().sae().withId(pipeline.encoder().saeId()))),
                EncoderSlot.lent(pipeline.encoder()),
                new Stages(pipeline, labelling),
                session.clientConfig(),
                ServeCommand.groups(settings),
                ServeCommand.prices(settings));
    }

    /** The pipeline's counters and meters. */
    private record Stages(Pipeline pipeline, Labelling labelling) implements LocalStages {
        @Override
        public Long documents(String saeId) {
            try {
                return pipeline.catalog().queries().totals(saeId).documents();
            } catch (RuntimeException notQueryableNow) {
                // a rebalance or restore: the status says "unknown" for a moment
                return null;
            }
        }

        @Override
        public Long tokensEncoded() {
            return pipeline.encode().counters().tokens.get();
        }

        @Override
        public LabelFigures labels() {
            if (labelling == null) {
                return null;
            }
            LabelService.Status p = labelling.progress();
            return new LabelFigures(p.pending() + p.inFlight(), p.calls(), p.inputTokens(), p.outputTokens());
        }

        @Override
        public AutoCloseable bindMetrics(MeterRegistry registry) {
            KafkaStreamsMetrics encode =
                    new KafkaStreamsMetrics(pipeline.encode().streams());
            KafkaStreamsMetrics catalog =
                    new KafkaStreamsMetrics(pipeline.catalog().streams());
            encode.bindTo(registry);
            catalog.bindTo(registry);
            EncodeCounters c = pipeline.encode().counters();
            FunctionCounter.builder("saestream.documents.encoded", c, x -> x.encoded.get())
                    .description("documents the encode stage in this process encoded")
                    .register(registry);
            FunctionCounter.builder("saestream.documents.dead.lettered", c, x -> x.deadLettered.get())
                    .tag("stage", "encode")
                    .description("documents the encode stage in this process dead-lettered")
                    .register(registry);
            FunctionCounter.builder("saestream.tokens.encoded", c, x -> x.tokens.get())
                    .description("tokens the encode stage in this process encoded")
                    .register(registry);
            FunctionCounter.builder(
                            "saestream.feature.states.emitted",
                            pipeline.catalog().counters(),
                            x -> x.emitted.get())
                    .description("feature states the catalog stage in this process emitted")
                    .register(registry);
            return () -> {
                encode.close();
                catalog.close();
            };
        }
    }
}
