package io.sipdrill.sip;

/** Receives requests that belong to no leg yet: new INVITEs, OPTIONS, stray requests. */
@FunctionalInterface
public interface RequestHandler {
    void onRequest(ServerExchange request);
}
