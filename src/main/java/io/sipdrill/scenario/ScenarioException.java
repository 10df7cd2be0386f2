package io.sipdrill.scenario;

/** A scenario file that cannot be played: says where (file:line), what is wrong and what to write. */
public final class ScenarioException extends RuntimeException {
    private final String file;
    private final int line;

    public ScenarioException(String file, int line, String problem, String fix) {
        super(file + (line > 0 ? ":" + line : "") + ": " + problem + (fix == null ? "" : "; " + fix));
        this.file = file;
        this.line = line;
    }

    public String file() { return file; }

    public int line() { return line; }
}
