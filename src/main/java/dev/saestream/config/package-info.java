/**
 * Configuration: one typed record per stage, built once at start-up from four layers, each
 * overriding the one before: the defaults in the record's code, the stage's section of a YAML
 * file in {@code config/}, environment variables {@code SAESTREAM_<SECTION>_<FIELD>}, then
 * command-line flags. Secrets are never read here: they come from the environment where they
 * are used, so they can not end up in a config dump.
 */
package dev.saestream.config;
