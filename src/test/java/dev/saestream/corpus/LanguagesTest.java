package dev.saestream.corpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class LanguagesTest {
    private static final Map<String, String> MIXED = Map.of(
            "en-1",
                    "The committee adopted the report on the protection of workers against the risks of exposure at work.",
            "en-2",
                    "Madam President, I would like to thank the rapporteur for her excellent work on this difficult question.",
            "sv-1", "Fru talman! Jag vill tacka föredraganden för hennes utmärkta arbete med denna svåra fråga.",
            "de-1",
                    "Frau Präsidentin, ich möchte der Berichterstatterin für ihre ausgezeichnete Arbeit zu dieser schwierigen Frage danken.",
            "fr-1",
                    "Madame la Présidente, je voudrais remercier la rapporteure pour son excellent travail sur cette question difficile.",
            "es-1",
                    "Señora Presidenta, quisiera dar las gracias a la ponente por su excelente trabajo sobre esta difícil cuestión.");

    private static SourceItem read(String id, String text) {
        return new SourceItem.Read(new Document(id, text, "test", null, Map.of("title", id)), "test:" + id);
    }

    @Test
    void theEnglishFilterKeepsEnglishDocumentsAndLeavesOutTheOthers() {
        // given a mixed sample, in a fixed order
        List<String> ids = MIXED.keySet().stream().sorted().toList();
        LanguageFilter english = LanguageFilter.parse("en");

        // when each is tagged and filtered
        List<SourceItem> out = ids.stream()
                .map(id -> read(id, MIXED.get(id)))
                .map(Languages.shared()::tag)
                .map(english::apply)
                .toList();

        // then the English ones pass with meta.lang and their own meta, the rest are left out with their language
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            String expected = ids.get(i).substring(0, 2);
            if (out.get(i) instanceof SourceItem.Read r) {
                kept.add(r.document().id());
                assertThat(r.document().meta()).containsEntry("lang", "en").containsEntry("title", ids.get(i));
            } else {
                assertThat(out.get(i)).isEqualTo(new SourceItem.OtherLanguage(expected, "test:" + ids.get(i)));
            }
        }
        assertThat(kept).containsExactly("en-1", "en-2");
    }

    @Test
    void everyLanguageIsDetectedAndAllKeepsThemAll() {
        LanguageFilter all = LanguageFilter.parse("all");
        for (Map.Entry<String, String> e : MIXED.entrySet()) {
            SourceItem item = all.apply(Languages.shared().tag(read(e.getKey(), e.getValue())));
            assertThat(((SourceItem.Read) item).document().meta())
                    .as(e.getKey())
                    .containsEntry("lang", e.getKey().substring(0, 2));
        }
    }

    @Test
    void aDocumentsOwnLanguageIsKept() {
        SourceItem given =
                new SourceItem.Read(new Document("x", MIXED.get("sv-1"), null, null, Map.of("lang", "en")), "x");
        assertThat(Languages.shared().tag(given)).isSameAs(given);
    }

    @Test
    void theAnswerForATextIsAlwaysTheSame() {
        // a short, ambiguous text is where a randomised detector would waver
        String text = "Sie sind nicht da, mais ils arrivent.";
        String first = Languages.shared().detect(text);
        for (int i = 0; i < 20; i++) {
            assertThat(Languages.shared().detect(text)).isEqualTo(first);
        }
        assertThat(Languages.shared().detect("12345 ... 678")).isEqualTo(Languages.UNDETERMINED);
    }

    @Test
    void aLimitOnTheFilteredCorpusCountsTheDocumentsKept() {
        // given the first 5 English documents of Europarl, found by detecting every document in turn
        LanguageFilter english = LanguageFilter.parse("en");
        List<String> expectedKept = new ArrayList<>();
        long expectedLeftOut = 0;
        try (Stream<Document> docs = Europarl.documents(0)) {
            for (Document d : (Iterable<Document>) docs::iterator) {
                if (expectedKept.size() == 5) {
                    break;
                }
                if (Languages.shared().detect(d.text()).equals("en")) {
                    expectedKept.add(d.id());
                } else {
                    expectedLeftOut++;
                }
            }
        }

        // when the corpus is read with the filter and a limit of 5
        List<SourceItem> items;
        try (Stream<SourceItem> s = TextSources.europarl(5, SourceOptions.defaults(), Languages.shared(), english)) {
            items = s.toList();
        }

        // then it stops at the fifth English document, and what came before it in other languages is accounted for
        assertThat(items.stream()
                        .filter(i -> i instanceof SourceItem.Read)
                        .map(i -> ((SourceItem.Read) i).document().id()))
                .containsExactlyElementsOf(expectedKept);
        assertThat(items.stream().filter(i -> i instanceof SourceItem.OtherLanguage))
                .hasSize((int) expectedLeftOut);
        assertThat(items.get(items.size() - 1)).isInstanceOf(SourceItem.Read.class);
        assertThat(expectedKept).startsWith("europarl/9", "europarl/31");
    }

    @Test
    void aBadLanguageSpecNamesTheKey() {
        assertThatThrownBy(() -> LanguageFilter.parse("english"))
                .hasMessageContaining("produce.lang")
                .hasMessageContaining("'english'");
        assertThat(LanguageFilter.parse(" EN, sv ").keep()).containsExactlyInAnyOrder("en", "sv");
        assertThat(LanguageFilter.parse("all").all()).isTrue();
    }
}
