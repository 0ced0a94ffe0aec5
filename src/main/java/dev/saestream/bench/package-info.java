/**
 * Benchmarks: the measurements behind {@code saestream bench ...}, kept out of the production
 * packages. It takes a model config or an SAE and gives figures (tokens/s, FLOP/s, agreement with
 * the reference encoder) as records for {@code cli} to print; it prints nothing itself. What it
 * times that needs a package's internals is reached through a small public entry point there
 * ({@link dev.saestream.model.BareGraphs}).
 */
package dev.saestream.bench;
