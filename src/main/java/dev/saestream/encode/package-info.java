/**
 * The encode stage: a Kafka Streams topology from {@code saestream.texts} to {@code saestream.codes}
 * (tokenize, transformer to the hook, SAE encode), and the compact binary format of the codes.
 */
package dev.saestream.encode;
