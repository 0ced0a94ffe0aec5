/**
 * The produce stage: writes documents from any {@link dev.saestream.corpus} source to
 * {@code saestream.texts} with an idempotent, compressing, batching producer, and every refused
 * input to {@code saestream.dlq}, so that read = produced + dead-lettered, always.
 */
package dev.saestream.produce;
