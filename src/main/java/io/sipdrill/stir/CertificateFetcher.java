package io.sipdrill.stir;

import io.sipdrill.sip.TargetPolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fetches x5u certificates: only from allowed hosts, within a time and a size limit, without
 * blocking the caller (a slow fetch holds up only its own call), and cached so one fetch serves
 * every call signed with that certificate. Every failure is a 436 Bad Identity Info.
 */
public final class CertificateFetcher {
    private final TargetPolicy allowed;
    private final Duration timeout;
    private final int maxBytes;
    private final Duration ttl;
    private final HttpClient http;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    private record Entry(CompletableFuture<List<X509Certificate>> certificates, long expiresNanos) { }

    public CertificateFetcher(List<String> allowedHosts, Duration timeout, int maxBytes, Duration ttl) {
        this.allowed = new TargetPolicy(allowedHosts);
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.ttl = ttl;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public CompletableFuture<List<X509Certificate>> fetch(String url) {
        long now = System.nanoTime();
        Entry e = cache.get(url);
        if (e != null && now < e.expiresNanos() && !e.certificates().isCompletedExceptionally()) return e.certificates();
        CompletableFuture<List<X509Certificate>> f = load(url);
        cache.put(url, new Entry(f, now + ttl.toNanos()));
        f.whenComplete((ok, failed) -> {
            if (failed != null) cache.remove(url); // a failure is not remembered: the next call tries again
        });
        return f;
    }

    private CompletableFuture<List<X509Certificate>> load(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new StirFailure(436, "x5u " + url + " is not a URL"));
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            return CompletableFuture.failedFuture(new StirFailure(436, "x5u " + url + " is not an http or https URL"));
        }
        if (uri.getHost() == null || !allowed.allows(uri.getHost())) {
            return CompletableFuture.failedFuture(new StirFailure(436, "x5u host " + uri.getHost()
                    + " is not in sipdrill.stir.verify.x5u-allowed-hosts"));
        }
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        return http.sendAsync(request, info -> new Limited(maxBytes, info))
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((response, failure) -> {
                    if (failure != null) throw new CompletionException(explain(url, failure));
                    if (response.statusCode() != 200) {
                        throw new StirFailure(436, "x5u " + url + " answered HTTP " + response.statusCode());
                    }
                    try {
                        return Pem.certificates(response.body());
                    } catch (IllegalArgumentException e) {
                        throw new StirFailure(436, "x5u " + url + " did not return a certificate: " + e.getMessage());
                    }
                });
    }

    private StirFailure explain(String url, Throwable failure) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (t instanceof StirFailure s) return s;
        if (t instanceof TimeoutException || t instanceof java.net.http.HttpTimeoutException) {
            return new StirFailure(436, "x5u " + url + " did not answer within " + timeout.toMillis() + " ms");
        }
        return new StirFailure(436, "x5u " + url + " is unreachable (" + t.getClass().getSimpleName()
                + (t.getMessage() == null ? "" : ": " + t.getMessage()) + ")");
    }

    /** Collects a response body, giving up as soon as it exceeds the size limit. */
    private static final class Limited implements HttpResponse.BodySubscriber<byte[]> {
        private final int max;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        private Flow.Subscription subscription;

        Limited(int max, HttpResponse.ResponseInfo info) {
            this.max = max;
            long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared > max) result.completeExceptionally(tooLarge());
        }

        private StirFailure tooLarge() {
            return new StirFailure(436, "x5u certificate is larger than the " + max + "-byte limit");
        }

        @Override
        public CompletionStage<byte[]> getBody() { return result; }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (result.isDone()) s.cancel();
            else s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                if (body.size() + b.remaining() > max) {
                    subscription.cancel();
                    result.completeExceptionally(tooLarge());
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                body.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) { result.completeExceptionally(t); }

        @Override
        public void onComplete() { result.complete(body.toByteArray()); }
    }
}
