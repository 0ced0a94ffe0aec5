/**
 * Kafka plumbing every stage shares: the embedded single-node KRaft broker, topic specs read
 * from {@code topics/}, serdes, and the dead-letter topic. Depends on nothing else in saestream.
 */
package dev.saestream.kafka;
