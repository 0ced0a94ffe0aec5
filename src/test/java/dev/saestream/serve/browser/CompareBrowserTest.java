package dev.saestream.serve.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.saestream.label.Label;
import dev.saestream.serve.ComparedCatalogues;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * Versioned catalogues in a real headless Chromium: the Compare view lists every pair of A and its
 * permuted copy B with both labels and cosine 1, a pair's link opens B's feature whose page links
 * back to its twin in A, and the overview says who labelled each catalogue.
 */
class CompareBrowserTest {
    static ComparedCatalogues served;
    static Browser browser;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        Browser.assumeInstalled();
        served = ComparedCatalogues.start();
        base = served.url().replaceAll("/$", "");
        browser = Browser.start();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (served != null) {
            served.close();
        }
    }

    @Test
    void compareShowsEveryPairWithBothLabelsAndLinksToTheFeatures() {
        // when the Compare view of A and B opens
        browser.open(base + "/#/compare?a=" + enc(served.a.id()) + "&b=" + enc(served.b.id()));
        List<WebElement> rows = browser.await(d -> {
            List<WebElement> r = d.findElements(By.cssSelector("#compare-pairs tbody tr"));
            return r.size() == ComparedCatalogues.WIDTH ? r : null;
        });
        // then every row is a feature of A, its twin in B at cosine 1, and both explanations as text
        for (WebElement row : rows) {
            List<WebElement> cells = row.findElements(By.tagName("td"));
            int i = Integer.parseInt(cells.get(0).getText());
            int j = served.perm.get(i);
            assertThat(cells.get(1).getText())
                    .startsWith(label(served.a.id(), i).explanation());
            assertThat(cells.get(2).getText()).isEqualTo("1.000");
            assertThat(cells.get(3).getText()).isEqualTo(String.valueOf(j));
            assertThat(cells.get(4).getText())
                    .startsWith(label(served.b.id(), j).explanation());
        }
        assertThat(browser.awaitVisible("#compare-summary [data-stat='≥ 0.9']").getText())
                .isEqualTo("100.0%");
        assertThat(browser.awaitVisible("#compare-unmatched-a").getText()).contains("None.");
        assertThat(browser.console()).noneMatch(e -> e.getMessage().contains("Content Security Policy"));

        // when B's index in the first row is followed
        WebElement first = rows.get(0);
        int i = Integer.parseInt(first.findElements(By.tagName("td")).get(0).getText());
        first.findElements(By.cssSelector("td a")).get(1).click();
        // then B's feature page shows its twin in A, linked, at cosine 1
        WebElement match = browser.awaitVisible("#matches tr[data-sae='" + served.a.id() + "']");
        assertThat(match.findElement(By.tagName("a")).getText()).isEqualTo(String.valueOf(i));
        assertThat(match.findElement(By.tagName("a")).getAttribute("href"))
                .endsWith("#/sae/" + enc(served.a.id()) + "/feature/" + i);
        assertThat(match.getText())
                .contains("1.000")
                .contains(label(served.a.id(), i).explanation());
    }

    @Test
    void theOverviewSaysWhoLabelledEachCatalogue() {
        browser.open(base + "/#/");
        String b = browser.await(d -> {
            List<WebElement> e =
                    d.findElements(By.cssSelector(".sae[data-sae='" + served.b.id() + "'] .sae-explainers"));
            return e.isEmpty() || e.get(0).getText().isEmpty() ? null : e.get(0).getText();
        });
        assertThat(b)
                .isEqualTo(
                        "labelled by llm openai model-x (" + ComparedCatalogues.FIRST_MODEL + "), llm openai model-y ("
                                + (ComparedCatalogues.WIDTH - ComparedCatalogues.FIRST_MODEL) + ")");
        assertThat(browser.awaitVisible(".sae[data-sae='" + served.a.id() + "'] .sae-explainers")
                        .getText())
                .isEqualTo("labelled by offline v1 (" + ComparedCatalogues.WIDTH + ")");
        assertThat(browser.awaitVisible(".sae[data-sae='" + served.a.id() + "'] .sae-built")
                        .getText())
                .startsWith("built ");
    }

    private static Label label(String saeId, int index) {
        return served.labels.get(saeId + "/" + index);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
