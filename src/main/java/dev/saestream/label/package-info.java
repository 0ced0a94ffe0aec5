/**
 * The label stage: watches {@code saestream.features}, explains features (LLM through LangChain4j,
 * or offline), scores explanations on held-out examples and writes {@code saestream.labels}.
 */
package dev.saestream.label;
