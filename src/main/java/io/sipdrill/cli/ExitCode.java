package io.sipdrill.cli;

/** What the process exit status means. */
public final class ExitCode {
    public static final int PASS = 0;
    /** A scenario ran and an assertion failed: the peer misbehaved. */
    public static final int FAILED = 1;
    /** Bad usage, configuration or scenario file, or sipdrill could not start (port in use). */
    public static final int BAD_INPUT = 2;

    private ExitCode() { }
}
