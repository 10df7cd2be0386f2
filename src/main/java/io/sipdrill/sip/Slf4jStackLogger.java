package io.sipdrill.sip;

import gov.nist.core.LogLevels;
import gov.nist.core.StackLogger;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes JAIN-SIP's internal logging to SLF4J so that log4j 1.x never has to be on the classpath.
 * JAIN-SIP keeps one such logger per JVM (a static), so the "messages" level that switches on the
 * wire hook is global too: it is on while at least one agent observes its messages.
 */
public final class Slf4jStackLogger implements StackLogger {
    private static final Logger LOG = LoggerFactory.getLogger("gov.nist.javax.sip");
    private static volatile int observingAgents;

    static synchronized void observing(boolean on) {
        observingAgents += on ? 1 : -1;
    }

    @Override public boolean isLoggingEnabled() { return true; }

    @Override
    public boolean isLoggingEnabled(int level) {
        // TRACE_MESSAGES shares its value with TRACE_INFO; the stack only hands messages to the
        // server logger (our wire hook) when this level answers true.
        if (level == LogLevels.TRACE_MESSAGES) return observingAgents > 0 || LOG.isDebugEnabled();
        if (level >= LogLevels.TRACE_DEBUG) return LOG.isTraceEnabled();
        if (level == LogLevels.TRACE_WARN) return LOG.isWarnEnabled();
        return LOG.isErrorEnabled();
    }

    @Override public void logStackTrace() { }
    @Override public void logStackTrace(int traceLevel) { }
    @Override public int getLineCount() { return 0; }
    @Override public void logException(Throwable ex) { LOG.warn("SIP stack exception", ex); }
    @Override public void logDebug(String message) { LOG.trace(message); }
    @Override public void logDebug(String message, Exception ex) { LOG.trace(message, ex); }
    @Override public void logTrace(String message) { LOG.trace(message); }
    @Override public void logFatalError(String message) { LOG.error(message); }
    @Override public void logError(String message) { LOG.warn(message); }
    @Override public void logError(String message, Exception ex) { LOG.warn(message, ex); }
    @Override public void logWarning(String message) { LOG.debug(message); }
    @Override public void logInfo(String message) { LOG.trace(message); }
    @Override public void disableLogging() { }
    @Override public void enableLogging() { }
    @Override public void setBuildTimeStamp(String buildTimeStamp) { }
    @Override public void setStackProperties(Properties stackProperties) { }
    @Override public String getLoggerName() { return LOG.getName(); }
}
