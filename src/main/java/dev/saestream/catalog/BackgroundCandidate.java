package dev.saestream.catalog;

/** A background window that may enter the global random sample, with its sampling key. */
public record BackgroundCandidate(BackgroundWindow window, long sampleKey) {}
