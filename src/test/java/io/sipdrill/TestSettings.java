package io.sipdrill;

import io.sipdrill.config.ConfigLoader;
import io.sipdrill.config.Settings;
import java.util.List;

/** Settings as a user would have them, with overrides given as --set would give them. */
public final class TestSettings {
    private TestSettings() { }

    public static Settings with(String... sets) {
        return ConfigLoader.load(null, List.of(sets));
    }
}
