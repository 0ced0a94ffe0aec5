/**
 * Kafka plumbing every stage shares: the embedded single-node KRaft broker, topic specs read
 * from {@code topics/}, serdes, and the dead-letter topic. Depends only on {@code formats}, for
 * the JSON mapper.
 */
package dev.saestream.kafka;
