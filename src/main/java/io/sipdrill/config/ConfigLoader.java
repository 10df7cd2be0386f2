package io.sipdrill.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.io.File;
import java.util.List;

/**
 * Layers the configuration: --set overrides, then --config FILE, then config/application.conf,
 * then reference.conf; checks the result against the reference so that a misspelt key is an error.
 */
public final class ConfigLoader {
    private ConfigLoader() { }

    /** Thrown with a message that names the file or setting and what is wrong. */
    public static final class BadConfig extends RuntimeException {
        public BadConfig(String message) {
            super(message);
        }
    }

    public static Settings load(File configFile, List<String> sets) {
        try {
            Config reference = ConfigFactory.defaultReference();
            Config merged = ConfigFactory.empty();
            for (String set : sets) {
                merged = parseSet(set).withFallback(merged);
            }
            merged = merged.withFallback(ConfigFactory.systemProperties().withOnlyPath("sipdrill"));
            if (configFile != null) {
                if (!configFile.isFile()) throw new BadConfig("config file not found: " + configFile);
                merged = merged.withFallback(ConfigFactory.parseFile(configFile,
                        ConfigParseOptions.defaults().setAllowMissing(false)));
            }
            File user = new File("config/application.conf");
            if (user.isFile()) merged = merged.withFallback(ConfigFactory.parseFile(user));
            Config resolved = merged.withFallback(reference).resolve();
            resolved.checkValid(reference, "sipdrill");
            rejectUnknownKeys(resolved.getConfig("sipdrill"), reference.getConfig("sipdrill"), "sipdrill");
            return Settings.from(resolved);
        } catch (ConfigException | IllegalArgumentException e) {
            throw new BadConfig("bad configuration: " + e.getMessage());
        }
    }

    /** --set PATH=HOCON, e.g. --set sipdrill.roles.transferee.refer-response=200 */
    static Config parseSet(String set) {
        int eq = set.indexOf('=');
        if (eq <= 0) throw new BadConfig("--set takes PATH=VALUE, e.g. sipdrill.sip.transport=tcp (got: " + set + ")");
        String path = set.substring(0, eq).trim();
        if (!path.startsWith("sipdrill.")) path = "sipdrill." + path;
        try {
            return ConfigFactory.parseString(path + " = " + set.substring(eq + 1), ConfigParseOptions.defaults()
                    .setOriginDescription("--set " + set));
        } catch (ConfigException e) {
            throw new BadConfig("--set " + set + ": the value is not valid HOCON (" + e.getMessage()
                    + "); quote strings, e.g. --set 'sipdrill.sip.user=\"alice\"'");
        }
    }

    /** checkValid allows extra keys; a typo in a key would otherwise be silently ignored. */
    private static void rejectUnknownKeys(Config actual, Config reference, String prefix) {
        for (var entry : actual.root().entrySet()) {
            String key = entry.getKey();
            String quoted = com.typesafe.config.ConfigUtil.joinPath(key);
            if (!reference.hasPathOrNull(quoted)) {
                if (prefix.endsWith("user-status") || prefix.endsWith("redirect.users") || prefix.endsWith("b2bua.rules") || prefix.endsWith("auth.users")) {
                    continue; // their keys are user names
                }
                throw new BadConfig("unknown setting " + prefix + "." + key + " ("
                        + entry.getValue().origin().description() + "); see reference.conf for the keys");
            }
            if (entry.getValue() instanceof com.typesafe.config.ConfigObject) {
                if (reference.getValue(quoted) instanceof com.typesafe.config.ConfigObject) {
                    rejectUnknownKeys(actual.getConfig(quoted), reference.getConfig(quoted), prefix + "." + key);
                }
            }
        }
    }
}
