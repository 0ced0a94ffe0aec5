package dev.saestream.label;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saestream.formats.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scripted LLM that knows the truth: the feature fires exactly on {@code words}. It answers the
 * explainer with a fixed explanation and every scorer's question correctly, reading the examples
 * from the prompt as a model would, so the scorers' arithmetic can be checked end to end.
 */
final class Oracle {
    private static final Pattern MARK = Pattern.compile("<<(.*?)>>");

    private final Set<String> words;
    private final String explanation;

    Oracle(Set<String> words, String explanation) {
        this.words = words;
        this.explanation = explanation;
    }

    ScriptedLlmServer.Reply answer(ScriptedLlmServer.Request r) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        if (r.system().equals(Prompts.EXPLAIN_SYSTEM)) {
            out.put("explanation", explanation);
        } else if (r.system().equals(Prompts.DETECTION_SYSTEM) || r.system().equals(Prompts.FUZZING_SYSTEM)) {
            boolean fuzz = r.system().equals(Prompts.FUZZING_SYSTEM);
            ArrayNode answers = out.putArray("answers");
            for (JsonNode e : examples(r.user())) {
                String text = e.get("text").asText();
                answers.addObject()
                        .put("example", e.get("example").asInt())
                        .put(fuzz ? "correct" : "fires", fuzz ? markedCorrectly(text) : contains(text));
            }
        } else if (r.system().equals(Prompts.INTRUDER_SYSTEM)) {
            out.put("intruder", intruder(r.user()));
        } else if (r.system().equals(Prompts.SIMULATION_SYSTEM)) {
            ArrayNode predictions = out.putArray("predictions");
            for (JsonNode e : examples(r.user())) {
                ObjectNode p =
                        predictions.addObject().put("example", e.get("example").asInt());
                ArrayNode acts = p.putArray("activations");
                e.get("tokens").forEach(t -> acts.add(words.contains(TokenStats.normalise(t.asText())) ? 10 : 0));
            }
        } else {
            throw new IllegalStateException("unknown prompt: " + r.system());
        }
        return ScriptedLlmServer.Reply.ok(Json.writeString(out));
    }

    /** The number of the first example in an intruder prompt that does not contain the words (1-based). */
    int intruder(String user) {
        for (JsonNode e : examples(user)) {
            if (!contains(e.get("text").asText())) {
                return e.get("example").asInt();
            }
        }
        throw new IllegalStateException("no intruder in " + user);
    }

    /** The JSON array between the prompt's {@code <examples>} tags. */
    static JsonNode examples(String user) {
        int open = user.indexOf("<examples>\n");
        int close = user.lastIndexOf("\n</examples>");
        try {
            return Json.MAPPER.readTree(user.substring(open + "<examples>\n".length(), close));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean contains(String text) {
        for (String piece : SyntheticCatalog.pieces(text)) {
            if (words.contains(TokenStats.normalise(piece))) {
                return true;
            }
        }
        return false;
    }

    /** Marked correctly: something is marked, every marked token is one of the words, and every such word is marked. */
    private boolean markedCorrectly(String text) {
        Matcher m = MARK.matcher(text);
        List<String> marked = new ArrayList<>();
        while (m.find()) {
            marked.add(TokenStats.normalise(m.group(1)));
        }
        if (marked.isEmpty() || !words.containsAll(marked)) {
            return false;
        }
        long total = 0;
        for (String piece : SyntheticCatalog.pieces(MARK.matcher(text).replaceAll("$1"))) {
            total += words.contains(TokenStats.normalise(piece)) ? 1 : 0;
        }
        return total == marked.size();
    }
}
