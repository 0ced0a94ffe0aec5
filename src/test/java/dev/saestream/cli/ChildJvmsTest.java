package dev.saestream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ChildJvmsTest {
    @Test
    void aChildThatIgnoresSigintIsToldApartFromOneThatDoesNot() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/self/status")), "Linux's /proc tells a process's ignored signals");
        assumeTrue(!ChildJvms.ignoresCtrlC(ProcessHandle.current().pid()), "this test run itself ignores SIGINT");
        Process plain = new ProcessBuilder("sleep", "30").start();
        // what a shell without job control does to `cmd &`
        Process ignoring = new ProcessBuilder("sh", "-c", "trap '' INT; exec sleep 30").start();
        try {
            Thread.sleep(300);
            assertThat(ChildJvms.ignoresCtrlC(plain.pid())).isFalse();
            assertThat(ChildJvms.ignoresCtrlC(ignoring.pid())).isTrue();
        } finally {
            plain.destroyForcibly();
            ignoring.destroyForcibly();
        }
    }
}
