/**
 * The catalogue people can see: an HTTP server (Javalin on Jetty) with a JSON API, Prometheus
 * metrics, server-sent events and the web page. It takes in its own materialisation of the public
 * topics {@code saestream.features} and {@code saestream.labels} (so it runs anywhere a Kafka
 * client can, beside the stages or apart from them, as many instances as wanted), the dead-letter
 * topic and the stages' consumer lag, and, when it runs inside {@code run}, the stages' in-JVM
 * counters and encoder. It gives out feature lists, feature pages, search, "what fires on this
 * text" and the pipeline's status; it never touches a stage's threads.
 */
package dev.saestream.serve;
