package dev.saestream.label;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks a JSON value against the subset of JSON Schema (2020-12) that the topic schemas use:
 * type, enum, const, required, properties, additionalProperties, items, minimum, maximum,
 * minLength, allOf, if/then and local $ref. Enough to hold the schema files to the records.
 */
final class SchemaCheck {
    private final JsonNode root;

    SchemaCheck(JsonNode root) {
        this.root = root;
    }

    List<String> errors(JsonNode value) {
        List<String> errors = new ArrayList<>();
        check(root, value, "$", errors);
        return errors;
    }

    private void check(JsonNode schema, JsonNode v, String at, List<String> errors) {
        if (schema.has("$ref")) {
            check(root.at(schema.get("$ref").asText().substring(1)), v, at, errors);
            return;
        }
        if (schema.has("type") && !typeOk(schema.get("type").asText(), v)) {
            errors.add(at + ": expected " + schema.get("type").asText() + ", got " + v.getNodeType());
            return;
        }
        if (schema.has("enum")) {
            boolean found = false;
            for (JsonNode e : schema.get("enum")) {
                found |= e.equals(v);
            }
            if (!found) {
                errors.add(at + ": " + v + " is not one of " + schema.get("enum"));
            }
        }
        if (schema.has("const") && !schema.get("const").equals(v)) {
            errors.add(at + ": " + v + " is not " + schema.get("const"));
        }
        if (schema.has("minimum")
                && v.isNumber()
                && v.asDouble() < schema.get("minimum").asDouble()) {
            errors.add(at + ": " + v + " is below " + schema.get("minimum"));
        }
        if (schema.has("maximum")
                && v.isNumber()
                && v.asDouble() > schema.get("maximum").asDouble()) {
            errors.add(at + ": " + v + " is above " + schema.get("maximum"));
        }
        if (schema.has("minLength")
                && v.isTextual()
                && v.asText().length() < schema.get("minLength").asInt()) {
            errors.add(at + ": too short");
        }
        if (v.isObject()) {
            for (JsonNode r : schema.path("required")) {
                if (!v.has(r.asText())) {
                    errors.add(at + ": missing " + r.asText());
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                JsonNode prop = schema.path("properties").get(f.getKey());
                JsonNode extra = schema.get("additionalProperties");
                if (prop != null) {
                    check(prop, f.getValue(), at + "." + f.getKey(), errors);
                } else if (extra != null && extra.isBoolean() && !extra.asBoolean()) {
                    errors.add(at + ": unexpected property " + f.getKey());
                } else if (extra != null && extra.isObject()) {
                    check(extra, f.getValue(), at + "." + f.getKey(), errors);
                }
            }
        }
        if (v.isArray() && schema.has("items")) {
            for (int i = 0; i < v.size(); i++) {
                check(schema.get("items"), v.get(i), at + "[" + i + "]", errors);
            }
        }
        for (JsonNode part : schema.path("allOf")) {
            check(part, v, at, errors);
        }
        if (schema.has("if")) {
            List<String> probe = new ArrayList<>();
            check(schema.get("if"), v, at, probe);
            if (probe.isEmpty() && schema.has("then")) {
                check(schema.get("then"), v, at, errors);
            }
        }
    }

    private static boolean typeOk(String type, JsonNode v) {
        return switch (type) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isTextual();
            case "integer" -> v.isIntegralNumber();
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            case "null" -> v.isNull();
            default -> throw new IllegalArgumentException("unsupported type " + type);
        };
    }
}
