package dev.saestream.catalog;

/** Feature keys {@code saeId/index}, as used by {@code saestream.features} and {@code saestream.labels}. */
public final class FeatureKey {
    private FeatureKey() {}

    public static String of(String saeId, int index) {
        return saeId + "/" + index;
    }

    /** The SAE id of a key (everything before the last slash). */
    public static String saeId(String key) {
        int slash = lastSlash(key);
        return key.substring(0, slash);
    }

    /** The feature index of a key (after the last slash). */
    public static int index(String key) {
        int slash = lastSlash(key);
        try {
            return Integer.parseInt(key.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("feature key '" + key + "' does not end in /<index>");
        }
    }

    private static int lastSlash(String key) {
        int slash = key == null ? -1 : key.lastIndexOf('/');
        if (slash <= 0 || slash == key.length() - 1) {
            throw new IllegalArgumentException("feature key '" + key + "' is not of the form saeId/index");
        }
        return slash;
    }
}
