/**
 * The catalog stage: a Kafka Streams topology from {@code saestream.codes} to the per-feature
 * statistics, exact top-k windows and reservoirs in {@code saestream.features}, the background
 * windows in {@code saestream.background}, and interactive queries over its stores.
 */
package dev.saestream.catalog;
