package dev.saestream.serve;

/**
 * The stages' consumer groups, whose committed offsets give their lag.
 *
 * @param encode  the encode stage's application id (encode.applicationId)
 * @param catalog the catalog stage's application id (catalog.applicationId)
 * @param label   the labeller's group id (label.topics.groupId)
 */
public record StageGroups(String encode, String catalog, String label) {}
