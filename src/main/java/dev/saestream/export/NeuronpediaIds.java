package dev.saestream.export;

import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where an SAE goes in Neuronpedia's naming: a model id, a source set and a source id
 * ({@code <layer>-<source set>}, Neuronpedia's {@code layer} column). From our SAE id
 * {@code model/layerN/rest}: model {@code model}, source set {@code saestream-rest}, source
 * {@code N-saestream-rest}; e.g. {@code all-minilm-l6-v2/layer3/topk-3072} becomes model
 * {@code all-minilm-l6-v2}, source {@code 3-saestream-topk-3072}. Without a layer number the source
 * id is the source set alone. Names are reduced to what Neuronpedia's model ids allow (letters,
 * digits, dashes, underscores): any other run of characters becomes a dash.
 *
 * @param modelId   Neuronpedia model id
 * @param sourceSet source set name
 * @param sourceId  source id, the {@code layer} of every row
 * @param layer     the layer number, or null when the SAE id has none
 */
public record NeuronpediaIds(String modelId, String sourceSet, String sourceId, Integer layer) {
    private static final Pattern LAYER = Pattern.compile("(?:layers?|blocks?|h)[._-]?(\\d+)");

    public NeuronpediaIds {
        if (modelId == null || modelId.isBlank() || sourceSet == null || sourceSet.isBlank()) {
            throw new IllegalArgumentException("Neuronpedia model id and source set must not be empty");
        }
    }

    /** The ids for {@code saeId}; non-empty overrides replace the derived model id or source set. */
    public static NeuronpediaIds of(String saeId, String modelOverride, String sourceSetOverride) {
        String[] parts = saeId.split("/");
        String model = slug(parts[0]);
        Integer layer = null;
        String[] rest = Arrays.copyOfRange(parts, 1, parts.length);
        if (rest.length >= 2) {
            Matcher m = LAYER.matcher(rest[0].toLowerCase(Locale.ROOT));
            if (m.matches()) {
                layer = Integer.parseInt(m.group(1));
                rest = Arrays.copyOfRange(rest, 1, rest.length);
            }
        }
        String set = rest.length == 0 ? "saestream" : "saestream-" + slug(String.join("-", rest));
        if (modelOverride != null && !modelOverride.isBlank()) {
            model = modelOverride;
        }
        if (sourceSetOverride != null && !sourceSetOverride.isBlank()) {
            set = sourceSetOverride;
        }
        return new NeuronpediaIds(model, set, layer == null ? set : layer + "-" + set, layer);
    }

    private static String slug(String s) {
        String t = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]+", "-").replaceAll("^-+|-+$", "");
        return t.isEmpty() ? "x" : t;
    }
}
