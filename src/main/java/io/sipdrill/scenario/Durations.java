package io.sipdrill.scenario;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;

/** Durations as HOCON writes them: 500ms, 2s, 1m. */
public final class Durations {
    private Durations() { }

    public static Duration parse(String text) {
        try {
            return ConfigFactory.parseString("d = \"" + text.replace("\"", "") + "\"").getDuration("d");
        } catch (ConfigException e) {
            throw new IllegalArgumentException("not a duration: " + text + " (write 500ms, 2s or 1m)");
        }
    }
}
