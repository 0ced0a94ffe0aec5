package dev.saestream.label;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.saestream.config.ConfigException;
import dev.saestream.config.Settings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelConfigTest {
    @Test
    void theDefaultsSurviveTheConfigLayers() {
        assertThat(Settings.defaultsOnly().section("label", LabelConfig.DEFAULTS))
                .isEqualTo(LabelConfig.DEFAULTS);
        assertThat(LabelConfig.DEFAULTS.usesLlm())
                .as("the defaults need no network")
                .isFalse();
    }

    @Test
    void environmentVariablesChooseTheLlmPath() {
        Settings env = Settings.load(
                null,
                Map.of(
                        "SAESTREAM_LABEL_EXPLAINER",
                        "llm",
                        "SAESTREAM_LABEL_SCORERS",
                        "[detection, embedding]",
                        "SAESTREAM_LABEL_LLM_PROVIDER",
                        "Anthropic",
                        "SAESTREAM_LABEL_LLM_MODEL",
                        "claude-haiku-4-5"));
        LabelConfig cfg = env.section("label", LabelConfig.DEFAULTS);
        assertThat(cfg.explainer()).isEqualTo(LabelConfig.ExplainerKind.LLM);
        assertThat(cfg.scorers()).containsExactly(LabelConfig.ScorerKind.DETECTION, LabelConfig.ScorerKind.EMBEDDING);
        assertThat(cfg.llm().provider()).isEqualTo(LabelConfig.Provider.ANTHROPIC);
        assertThat(cfg.usesLlm()).isTrue();
        assertThat(ChatModels.keyVariable(cfg)).isEqualTo("ANTHROPIC_API_KEY");
    }

    @Test
    void badValuesAreNamedWithTheirField() {
        assertThatThrownBy(() -> Settings.defaultsOnly()
                        .section(
                                "label",
                                LabelConfig.DEFAULTS,
                                c -> c.withLlm(c.llm().withProvider(LabelConfig.Provider.of("gemini")))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("label.llm.provider must be one of [openai, anthropic, ollama], got 'gemini'");
        assertThatThrownBy(() -> Settings.defaultsOnly()
                        .section(
                                "label",
                                LabelConfig.DEFAULTS,
                                c -> c.withLimits(c.limits().withConcurrency(0))))
                .hasMessageContaining("label.limits.concurrency must be at least 1, got 0");
        assertThatThrownBy(() ->
                        Settings.defaultsOnly().section("label", LabelConfig.DEFAULTS, c -> c.withScorers(List.of())))
                .hasMessageContaining("label.scorers must name at least one of");
        assertThatThrownBy(() -> Settings.defaultsOnly()
                        .section(
                                "label",
                                LabelConfig.DEFAULTS,
                                c -> c.withLlm(c.llm()
                                        .withProvider(LabelConfig.Provider.ANTHROPIC)
                                        .withMaxCompletionTokens(4096))))
                .hasMessageContaining(
                        "label.llm.maxCompletionTokens is an OpenAI parameter; with provider anthropic set"
                                + " label.llm.maxOutputTokens instead");
        assertThatThrownBy(() -> Settings.defaultsOnly()
                        .section(
                                "label",
                                LabelConfig.DEFAULTS,
                                c -> c.withLlm(c.llm().withTimeoutSeconds(0))))
                .hasMessageContaining("label.llm.timeoutSeconds must be above 0, got 0.0");
    }

    @Test
    void anLlmWithoutAModelOrAKeyIsRefusedWithWhatToSet() {
        LabelConfig noModel = LabelConfig.DEFAULTS.withExplainer(LabelConfig.ExplainerKind.LLM);
        assertThatThrownBy(() -> ChatModels.create(noModel, Map.of()))
                .hasMessage("label.llm.model is not set: give the model name your openai server serves"
                        + " (config label.llm.model or SAESTREAM_LABEL_LLM_MODEL)");
        LabelConfig noKey = noModel.withLlm(noModel.llm().withModel("gpt-4o-mini"));
        assertThatThrownBy(() -> ChatModels.create(noKey, Map.of()))
                .hasMessage(
                        "the openai API needs a key: set the environment variable OPENAI_API_KEY (or name another one in label.llm.apiKeyEnv)");
    }
}
