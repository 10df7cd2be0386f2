package io.sipdrill.interop;

import java.io.File;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Third-party peers from Debian. A test that needs one skips when it is absent on a developer's
 * machine, and fails when SIPDRILL_REQUIRE_PEERS=1 (set by .ci/run), so CI never skips silently.
 */
final class Peers {
    private Peers() { }

    static String require(String binary, String debianPackage) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            File f = new File(dir, binary);
            if (f.canExecute()) return f.getAbsolutePath();
        }
        String why = binary + " not found on PATH (Debian package " + debianPackage + ")";
        if ("1".equals(System.getenv("SIPDRILL_REQUIRE_PEERS"))) Assertions.fail(why + ", and SIPDRILL_REQUIRE_PEERS=1");
        Assumptions.abort(why + ": skipping; .ci/run installs it");
        return null;
    }
}
