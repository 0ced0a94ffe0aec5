/**
 * Command-line entry points, kept thin: parse flags, build each stage's config record, wire the
 * stages and run them. Depends on every other package; none depends on it. Only {@link
 * dev.saestream.cli.Main} exits the process.
 */
package dev.saestream.cli;
