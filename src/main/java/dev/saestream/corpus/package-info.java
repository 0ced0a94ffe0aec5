/**
 * Where texts come from: the bundled Europarl sample, files, directories, JSON Lines and standard
 * input, each read into {@link dev.saestream.corpus.Document}s (or refusals, with the reason and
 * the place in the input). Depends on nothing else in saestream.
 */
package dev.saestream.corpus;
