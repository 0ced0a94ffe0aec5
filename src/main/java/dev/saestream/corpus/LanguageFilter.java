package dev.saestream.corpus;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which languages of a corpus to keep ({@code produce.lang}, {@code --lang}): {@code all}, or
 * comma-separated language codes as {@link Languages} writes them in {@code meta.lang}.
 *
 * @param keep the codes kept; empty keeps every language
 */
public record LanguageFilter(Set<String> keep) {
    public static final String ALL = "all";
    private static final Pattern CODE = Pattern.compile("[a-z]{2,3}");

    public LanguageFilter {
        keep = Set.copyOf(keep);
    }

    /** Parses {@code all} or {@code en} or {@code en,sv}. */
    public static LanguageFilter parse(String spec) {
        String s = spec == null ? "" : spec.strip().toLowerCase(Locale.ROOT);
        if (s.equals(ALL)) {
            return new LanguageFilter(Set.of());
        }
        Set<String> codes = Arrays.stream(s.split(",")).map(String::strip).collect(Collectors.toSet());
        for (String c : codes) {
            if (!CODE.matcher(c).matches()) {
                throw new IllegalArgumentException(
                        "produce.lang must be 'all' or language codes such as en or en,sv; got '" + spec + "'");
            }
        }
        return new LanguageFilter(codes);
    }

    public boolean all() {
        return keep.isEmpty();
    }

    /**
     * A read document whose {@code meta.lang} is not kept becomes {@link SourceItem.OtherLanguage};
     * anything else passes. Tag the item with {@link Languages#tag} first.
     */
    public SourceItem apply(SourceItem item) {
        if (all() || !(item instanceof SourceItem.Read read)) {
            return item;
        }
        Object lang =
                read.document().meta() == null ? null : read.document().meta().get(Languages.FIELD);
        String code = lang == null ? Languages.UNDETERMINED : lang.toString();
        return keep.contains(code) ? item : new SourceItem.OtherLanguage(code, read.location());
    }

    @Override
    public String toString() {
        return all() ? ALL : String.join(",", new java.util.TreeSet<>(keep));
    }
}
