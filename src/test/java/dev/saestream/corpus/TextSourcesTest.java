package dev.saestream.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextSourcesTest {
    @TempDir
    Path dir;

    private static List<SourceItem> all(Stream<SourceItem> s) {
        try (s) {
            return s.map(new DocumentIds()).toList();
        }
    }

    private static List<String> reasons(List<SourceItem> items) {
        return items.stream()
                .map(i -> i instanceof SourceItem.Refused r ? r.reason() : "ok")
                .toList();
    }

    @Test
    void europarlHasEveryDocumentWithLineIds() {
        List<SourceItem> items = all(TextSources.europarl(0, SourceOptions.defaults()));
        assertThat(items).hasSize(Europarl.DOCUMENTS);
        assertThat(items).allMatch(i -> i instanceof SourceItem.Read);
        SourceItem.Read first = (SourceItem.Read) items.get(0);
        assertThat(first.document().id()).isEqualTo("europarl/1");
        assertThat(first.document().meta()).containsKeys("title", "date");
        assertThat(first.location()).isEqualTo("europarl:1");
    }

    @Test
    void perLineReadsEachLineByteExactAndRefusesBlankOnes() throws IOException {
        Path f = dir.resolve("lines.txt");
        Files.write(f, "first line\r\n\n   \nNaïve café 日本語 🙂\nlast".getBytes(StandardCharsets.UTF_8));
        List<SourceItem> items = all(TextSources.file(f, new SourceOptions(TextFormat.TEXT, true, 1 << 20)));
        assertThat(reasons(items)).containsExactly("ok", "empty-text", "empty-text", "ok", "ok");
        assertThat(((SourceItem.Read) items.get(3)).document().text()).isEqualTo("Naïve café 日本語 🙂");
        assertThat(((SourceItem.Read) items.get(0)).document().text()).isEqualTo("first line");
        assertThat(items.get(4).location()).isEqualTo(f + ":5");
    }

    @Test
    void invalidUtf8IsRefusedWithTheByteOffset() throws IOException {
        Path f = dir.resolve("bad.txt");
        Files.write(f, new byte[] {'o', 'k', (byte) 0xC3, (byte) 0x28});
        SourceItem.Refused r = (SourceItem.Refused)
                all(TextSources.file(f, SourceOptions.defaults())).get(0);
        assertThat(r.reason()).isEqualTo(Refusals.INVALID_UTF8);
        assertThat(r.detail()).contains("byte 2");
        assertThat(r.original()).containsExactly('o', 'k', (byte) 0xC3, (byte) 0x28);
    }

    @Test
    void tooLargeFilesAreRefusedWithoutReadingThemWhole() throws IOException {
        Path f = dir.resolve("big.txt");
        Files.write(f, "x".repeat(5000).getBytes(StandardCharsets.UTF_8));
        SourceItem.Refused r =
                (SourceItem.Refused) all(TextSources.file(f, new SourceOptions(TextFormat.TEXT, false, 4999)))
                        .get(0);
        assertThat(r.reason()).isEqualTo(Refusals.TOO_LARGE);
        assertThat(r.size()).isEqualTo(5000);
        assertThat(r.original().length).isEqualTo(4096);
        assertThat(all(TextSources.file(f, new SourceOptions(TextFormat.TEXT, false, 5000)))
                        .get(0))
                .isInstanceOf(SourceItem.Read.class);
    }

    @Test
    void jsonLinesAcceptGoodObjectsAndRefuseEachKindOfBadOne() throws IOException {
        Path f = dir.resolve("docs.jsonl");
        Files.writeString(
                f,
                String.join(
                        "\n",
                        "{\"id\": \"a\", \"text\": \"alpha\", \"source\": \"s\", \"ts\": 5, \"meta\": {\"k\": [1, 2]}}",
                        "{\"text\": \"no id given\"}",
                        "{\"id\": 7, \"text\": \"numeric id\"}",
                        "{not json",
                        "[1, 2]",
                        "{\"id\": \"b\"}",
                        "{\"id\": \"c\", \"text\": 42}",
                        "{\"id\": \"d\", \"text\": \"   \"}",
                        "{\"id\": \"a\", \"text\": \"same id again\"}",
                        "{\"id\": {\"x\": 1}, \"text\": \"object id\"}",
                        "{\"text\": \"no id given\"}"));
        List<SourceItem> items = all(TextSources.file(f, SourceOptions.defaults()));
        assertThat(reasons(items))
                .containsExactly(
                        "ok",
                        "ok",
                        "ok",
                        "malformed-json",
                        "malformed-json",
                        "missing-text",
                        "text-not-string",
                        "empty-text",
                        "duplicate-id",
                        "bad-field",
                        "duplicate-id");
        Document a = ((SourceItem.Read) items.get(0)).document();
        assertThat(a.id()).isEqualTo("a");
        assertThat(a.source()).isEqualTo("s");
        assertThat(a.ts()).isEqualTo(5L);
        assertThat(a.meta()).containsEntry("k", List.of(1, 2));
        assertThat(((SourceItem.Read) items.get(1)).document().id()).isEqualTo(DocumentIds.contentHash("no id given"));
        assertThat(((SourceItem.Read) items.get(2)).document().id()).isEqualTo("7");
    }

    @Test
    void directoriesAreReadRecursivelyInNameOrder() throws IOException {
        Files.createDirectories(dir.resolve("b/c"));
        Files.writeString(dir.resolve("b/c/z.txt"), "zed");
        Files.writeString(dir.resolve("a.txt"), "ay");
        Files.writeString(dir.resolve("b/y.txt"), "why");
        List<String> texts = all(TextSources.paths(List.of(dir), SourceOptions.defaults())).stream()
                .map(i -> ((SourceItem.Read) i).document().text())
                .toList();
        assertThat(texts).containsExactly("ay", "zed", "why");
    }

    @Test
    void standardInputIsOneDocumentOrOnePerLine() {
        byte[] in = "one\ntwo\n".getBytes(StandardCharsets.UTF_8);
        List<SourceItem> whole =
                all(TextSources.stream(new ByteArrayInputStream(in), "stdin", SourceOptions.defaults()));
        assertThat(((SourceItem.Read) whole.get(0)).document().text()).isEqualTo("one\ntwo\n");
        List<SourceItem> lines = all(TextSources.stream(
                new ByteArrayInputStream(in), "stdin", new SourceOptions(TextFormat.TEXT, true, 100)));
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1).location()).isEqualTo("stdin:2");
    }

    @Test
    void contentHashIsStable() {
        assertThat(DocumentIds.contentHash("hello")).isEqualTo("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e");
    }
}
