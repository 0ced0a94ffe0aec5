package dev.saestream.serve.browser;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through Debian's chromedriver. Both paths are given, so Selenium
 * Manager (which would download a driver) never runs; the profile is a fresh temporary directory.
 * Where the browser is missing the tests skip with the reason, except with {@code CI=true}, where
 * they fail: CI must run them ({@code scripts/ensure-browser.sh} installs them during {@code mvn verify}).
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of(env("SAESTREAM_CHROMIUM", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(env("SAESTREAM_CHROMEDRIVER", "/usr/bin/chromedriver"));
    static final Duration WAIT = Duration.ofSeconds(60);

    final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Skips the caller when Chromium or its driver is missing; fails instead when CI=true. */
    static void assumeInstalled() {
        String missing = !Files.isExecutable(CHROMIUM)
                ? CHROMIUM.toString()
                : !Files.isExecutable(DRIVER) ? DRIVER.toString() : null;
        if (missing == null) {
            return;
        }
        String why = missing + " is missing: the browser tests need Debian's chromium and chromium-driver "
                + "(scripts/ensure-browser.sh installs them as root; SAESTREAM_CHROMIUM / SAESTREAM_CHROMEDRIVER point elsewhere)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(why + "; with CI=true they must run");
        }
        Assumptions.abort(why);
    }

    static Browser start() {
        assumeInstalled();
        // Selenium's own java.util.logging output (connection chatter) stays out of the test log
        java.util.logging.Logger.getLogger("org.openqa.selenium").setLevel(Level.SEVERE);
        Path profile;
        try {
            profile = Files.createTempDirectory("saestream-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile,
                "--window-size=1366,768",
                "--hide-scrollbars",
                "--lang=en-US",
                "--force-device-scale-factor=1");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .withSilent(true)
                .build();
        return new Browser(new ChromeDriver(service, options), profile);
    }

    void open(String url) {
        driver.get(url);
    }

    /** Waits until {@code condition} gives a non-null, non-false value, and returns it. */
    <T> T await(Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, WAIT, Duration.ofMillis(100)).until(condition);
    }

    WebElement awaitVisible(String css) {
        return await(d -> {
            List<WebElement> found = d.findElements(By.cssSelector(css));
            return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
        });
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /** The browser console since the last call: errors, CSP reports and the like. */
    List<LogEntry> console() {
        return driver.manage().logs().get(LogType.BROWSER).getAll();
    }

    /** A PNG of the page at {@code width} × its full height (capped), into each directory. */
    void screenshot(String name, int width, int maxHeight, List<Path> dirs) throws IOException {
        Number h = (Number) script("return Math.ceil(document.documentElement.scrollHeight)");
        driver.manage()
                .window()
                .setSize(new org.openqa.selenium.Dimension(width, Math.min(maxHeight, h.intValue() + 90)));
        script("window.scrollTo(0, 0)");
        byte[] png = driver.getScreenshotAs(OutputType.BYTES);
        for (Path dir : dirs) {
            Files.createDirectories(dir);
            Files.write(dir.resolve(name + ".png"), png);
        }
        driver.manage().window().setSize(new org.openqa.selenium.Dimension(1366, 768));
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a leftover temporary profile is harmless
            }
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    static Map<String, Object> asMap(Object o) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) o;
        return m;
    }
}
