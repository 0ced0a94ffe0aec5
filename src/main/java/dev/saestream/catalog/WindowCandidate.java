package dev.saestream.catalog;

/** A window that may enter a feature's top-k or reservoir, with its sampling key ({@link SampleKeys}). */
public record WindowCandidate(WindowSpan span, long sampleKey) {}
