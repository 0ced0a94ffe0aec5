package dev.saestream.serve.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The page's files keep the rules its Content-Security-Policy and its handling of untrusted text
 * rely on, checked on the source so that a slip fails at once, without a browser: no markup sinks,
 * no inline script or style, nothing loaded from another origin, every module import resolvable.
 */
class WebPageSourceTest {
    static final Path WEB = Path.of("src/main/resources/dev/saestream/serve/web");

    @Test
    void scriptsUseNoMarkupSinksAndNoDynamicCode() throws IOException {
        Pattern sinks =
                Pattern.compile("innerHTML|outerHTML|insertAdjacentHTML|document\\.write|\\beval\\(|new Function\\("
                        + "|setAttribute\\(\\s*['\"](style|on\\w+)['\"]|javascript:|\\.srcdoc");
        List<Path> scripts = files("js");
        assertThat(scripts)
                .extracting(p -> p.getFileName().toString())
                .contains(
                        "app.js",
                        "api.js",
                        "dom.js",
                        "live.js",
                        "overview.js",
                        "list.js",
                        "feature.js",
                        "try.js",
                        "charts.js",
                        "tokens.js");
        for (Path js : scripts) {
            Matcher m = sinks.matcher(withoutComments(Files.readString(js, StandardCharsets.UTF_8)));
            boolean found = m.find();
            assertThat(found)
                    .as("%s uses %s", js.getFileName(), found ? m.group() : "")
                    .isFalse();
        }
    }

    @Test
    void theHtmlHasNoInlineScriptOrStyleAndLoadsOnlyItsOwnFiles() throws IOException {
        String html = Files.readString(WEB.resolve("index.html"), StandardCharsets.UTF_8);
        assertThat(html)
                .doesNotContainPattern("<script(?![^>]*\\bsrc=)")
                .doesNotContainPattern("\\sstyle=")
                .doesNotContainPattern("\\son\\w+=")
                .doesNotContain("<style")
                .doesNotContain("//");
        Matcher refs = Pattern.compile("(?:src|href)=\"([^\"#]+)\"").matcher(html);
        while (refs.find()) {
            String ref = refs.group(1);
            if (!ref.startsWith("/api/") && !ref.equals("/metrics")) {
                assertThat(WEB.resolve(ref)).as("index.html refers to %s", ref).isRegularFile();
            }
        }
    }

    @Test
    void everyModuleImportNamesAFileOfThePage() throws IOException {
        Pattern imports = Pattern.compile("from\\s+'([^']+)'");
        for (Path js : files("js")) {
            Matcher m = imports.matcher(Files.readString(js, StandardCharsets.UTF_8));
            while (m.find()) {
                assertThat(m.group(1)).as("import in %s", js.getFileName()).startsWith("./");
                assertThat(WEB.resolve(m.group(1)))
                        .as("import in %s", js.getFileName())
                        .isRegularFile();
            }
        }
    }

    private static List<Path> files(String ext) throws IOException {
        try (Stream<Path> s = Files.list(WEB)) {
            return s.filter(p -> p.toString().endsWith("." + ext)).sorted().toList();
        }
    }

    private static String withoutComments(String js) {
        return js.replaceAll("(?m)^\\s*//.*$", "");
    }
}
