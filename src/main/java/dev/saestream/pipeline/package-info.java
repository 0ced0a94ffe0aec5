/**
 * The stages running in this JVM, for whoever runs them (the commands of {@code cli}, and the web
 * server should it ever start them): a Kafka session (the given cluster, or the embedded broker),
 * the encode and catalog stages started side by side over it, the labeller on its own thread, and
 * the waits on them (caught up with the input, catalogue settled, every eligible feature labelled).
 * It takes the stages' config records and gives running stages with their counters and queries;
 * it prints nothing and parses no flags.
 */
package dev.saestream.pipeline;
