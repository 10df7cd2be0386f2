package io.sipdrill.sip;

/** Told of each request and response an agent sends or receives (for metrics); must be cheap. */
public interface MessageCounter {
    MessageCounter NONE = new MessageCounter() {
        @Override public void request(String method, boolean sent) { }

        @Override public void response(String method, int status, boolean sent) { }
    };

    void request(String method, boolean sent);

    void response(String method, int status, boolean sent);
}
