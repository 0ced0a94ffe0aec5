package dev.saestream.sae;

import dev.saestream.corpus.Document;
import dev.saestream.corpus.DocumentIds;

/**
 * Which documents train an SAE and which evaluate it: one document in {@value #HELD_OUT_ONE_IN},
 * chosen by a hash of its id, is held out for evaluation, and training never sees it. The choice
 * depends on the id alone, so it is the same whatever order, subset or mix of inputs is read.
 */
public final class DocumentSplit {
    public static final int HELD_OUT_ONE_IN = 10;

    private DocumentSplit() {}

    /** Whether the document with this id is held out for evaluation: the first 8 bytes of SHA-256(id), unsigned, mod 10 are 0. */
    public static boolean heldOut(String documentId) {
        if (documentId == null) {
            throw new IllegalArgumentException("a document needs an id to be assigned to training or evaluation");
        }
        return Long.remainderUnsigned(DocumentIds.hash64(documentId), HELD_OUT_ONE_IN) == 0;
    }

    public static boolean training(Document d) {
        return !heldOut(d.id());
    }

    public static boolean evaluation(Document d) {
        return heldOut(d.id());
    }

    /** How the split is described in a trained SAE's metadata. */
    public static String description() {
        return "documents whose SHA-256(id) mod " + HELD_OUT_ONE_IN
                + " is 0 are held out for evaluation; the rest train";
    }
}
