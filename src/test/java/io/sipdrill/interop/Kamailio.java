package io.sipdrill.interop;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * A real Kamailio (Debian package kamailio, plus kamailio-tls-modules for TLS) on loopback, acting as a
 * registrar and an authenticating proxy for realm {@value #REALM}, from a config generated into a work
 * directory. UDP and TCP share {@link #port()}; TLS, when configured, listens on {@link #tlsPort()}.
 *
 * <p>Behaviour of the generated route script:
 * <ul>
 *   <li>REGISTER: digest challenge (401, qop=auth unless {@link Options#qopAuth()} is off) with the
 *       configured algorithm; a wrong password is challenged again (401); the authenticated user must be
 *       the To user (else 403); an Expires below {@link Options#minExpires()} (but not 0) gets 423 with
 *       Min-Expires; values above {@link Options#maxExpires()} are lowered to it; bindings live in memory.
 *   <li>Other initial requests (INVITE, MESSAGE, ...): when {@link Options#requireAuthForInvite()}, a
 *       proxy challenge (407) and the authenticated user must be the From user (else 403); then the
 *       Request-URI of this domain is looked up in the location table (404 when nobody is registered)
 *       and relayed statefully. INVITEs are record-routed, in-dialog requests loose-routed.
 *   <li>OPTIONS to the proxy itself (no user part) is answered 200 without authentication.
 * </ul>
 * The Request-URI / To domain may be {@value #REALM} (an alias of the proxy) or 127.0.0.1:port.
 */
final class Kamailio implements AutoCloseable {
    static final String REALM = "sipdrill.test";
    static final String HOST = "127.0.0.1";
    static final String MODULES = "/usr/lib/x86_64-linux-gnu/kamailio/modules/";

    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._+-]+");

    /** What the generated Kamailio does; start from {@link #defaults()}. */
    record Options(Map<String, String> users, String algorithm, boolean qopAuth, int minExpires, int maxExpires,
                   boolean requireAuthForInvite, Path tlsCertificate, Path tlsKey) {
        Options {
            users = Map.copyOf(users);
            for (var e : users.entrySet()) {
                if (!USER.matcher(e.getKey()).matches()) throw new IllegalArgumentException("user name " + e.getKey());
                if (e.getValue().isEmpty() || e.getValue().matches(".*[\"\\\\$\\r\\n].*")) {
                    throw new IllegalArgumentException("password of " + e.getKey() + ": empty, or has \" \\ $ or a line break");
                }
            }
            if (!algorithm.equals("MD5") && !algorithm.equals("SHA-256")) {
                throw new IllegalArgumentException("algorithm " + algorithm + ": Kamailio 5.6 knows MD5 and SHA-256");
            }
            if (minExpires < 0 || maxExpires < 0 || (maxExpires > 0 && maxExpires < minExpires)) {
                throw new IllegalArgumentException("expires bounds " + minExpires + ".." + maxExpires);
            }
            if ((tlsCertificate == null) != (tlsKey == null)) throw new IllegalArgumentException("TLS needs both certificate and key");
        }

        /** No users, MD5 with qop=auth, Expires 60..3600, INVITEs need proxy authentication, no TLS. */
        static Options defaults() {
            return new Options(Map.of(), "MD5", true, 60, 3600, true, null, null);
        }

        Options withUser(String user, String password) {
            Map<String, String> u = new LinkedHashMap<>(users);
            u.put(user, password);
            return withUsers(u);
        }

        Options withUsers(Map<String, String> u) {
            return new Options(u, algorithm, qopAuth, minExpires, maxExpires, requireAuthForInvite, tlsCertificate, tlsKey);
        }

        /** "MD5" or "SHA-256" (the auth module's {@code algorithm} parameter; it names it in the challenge). */
        Options withAlgorithm(String a) {
            return new Options(users, a, qopAuth, minExpires, maxExpires, requireAuthForInvite, tlsCertificate, tlsKey);
        }

        /** Whether challenges offer qop="auth" (true) or no qop at all (RFC 2069 style). */
        Options withQopAuth(boolean q) {
            return new Options(users, algorithm, q, minExpires, maxExpires, requireAuthForInvite, tlsCertificate, tlsKey);
        }

        /** 0 disables the check. */
        Options withMinExpires(int s) {
            return new Options(users, algorithm, qopAuth, s, maxExpires, requireAuthForInvite, tlsCertificate, tlsKey);
        }

        /** 0 disables the cap. */
        Options withMaxExpires(int s) {
            return new Options(users, algorithm, qopAuth, minExpires, s, requireAuthForInvite, tlsCertificate, tlsKey);
        }

        Options withRequireAuthForInvite(boolean r) {
            return new Options(users, algorithm, qopAuth, minExpires, maxExpires, r, tlsCertificate, tlsKey);
        }

        /** PEM server certificate (chain) and unencrypted PEM private key. */
        Options withTls(Path certificate, Path key) {
            return new Options(users, algorithm, qopAuth, minExpires, maxExpires, requireAuthForInvite,
                    certificate.toAbsolutePath(), key.toAbsolutePath());
        }

        boolean tls() {
            return tlsCertificate != null;
        }
    }

    private final Process process;
    private final java.util.Set<ProcessHandle> children;
    private final Path workDir;
    private final Path log;
    private final int port;
    private final int tlsPort;

    private Kamailio(Process process, Path workDir, Path log, int port, int tlsPort) {
        this.process = process;
        this.workDir = workDir;
        this.log = log;
        this.port = port;
        this.tlsPort = tlsPort;
        this.children = new java.util.LinkedHashSet<>();
    }

    /**
     * Writes kamailio.cfg (and tls.cfg) into workDir, starts Kamailio in the foreground and returns once
     * it answers an OPTIONS over UDP. Retries with other ports if one was taken in the meantime.
     */
    static Kamailio start(Path workDir, Options o) throws IOException {
        String binary = Peers.require("kamailio", "kamailio");
        Files.createDirectories(workDir);
        Path dir = workDir.toAbsolutePath();
        for (int attempt = 1; ; attempt++) {
            int port = Sipp.freePort();
            int tlsPort = -1;
            while (o.tls() && (tlsPort < 0 || tlsPort == port)) tlsPort = Sipp.freePort();
            Path cfg = dir.resolve("kamailio.cfg");
            Files.writeString(cfg, config(o, dir, port, tlsPort), StandardCharsets.UTF_8);
            if (o.tls()) Files.writeString(dir.resolve("tls.cfg"), tlsConfig(o), StandardCharsets.UTF_8);
            Path log = dir.resolve("kamailio.log");
            List<String> cmd = command(binary, dir);
            Files.writeString(log, String.join(" ", cmd) + "\n", StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            Kamailio k = new Kamailio(p, dir, log, port, tlsPort);
            try {
                k.awaitReady();
                return k;
            } catch (AssertionError | RuntimeException e) {
                k.close();
                if (attempt < 3 && k.logText().contains("Address already in use")) continue;
                throw e;
            }
        }
    }

    /** The command line: foreground (-DD) with children, logging to stderr (-E), small memory. */
    static List<String> command(String binary, Path dir) {
        return List.of(binary, "-f", dir.resolve("kamailio.cfg").toString(), "-DD", "-E", "-m", "64", "-M", "8",
                "-P", dir.resolve("kamailio.pid").toString(), "-w", dir.toString(), "-Y", dir.toString());
    }

    private void awaitReady() {
        Awaitility.await("Kamailio answering OPTIONS on " + HOST + ":" + port)
                .atMost(Duration.ofSeconds(15)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("Kamailio exited with " + process.exitValue() + "\n" + logText());
                    }
                    return answersOptions();
                });
        process.descendants().forEach(children::add);
    }

    private boolean answersOptions() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getByName(HOST))) {
            s.setSoTimeout(200);
            String branch = "z9hG4bK" + UUID.randomUUID();
            String options = "OPTIONS sip:" + HOST + ":" + port + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP " + HOST + ":" + s.getLocalPort() + ";branch=" + branch + "\r\n"
                    + "Max-Forwards: 70\r\n"
                    + "From: <sip:probe@" + HOST + ">;tag=" + UUID.randomUUID() + "\r\n"
                    + "To: <sip:" + HOST + ":" + port + ">\r\n"
                    + "Call-ID: " + UUID.randomUUID() + "\r\n"
                    + "CSeq: 1 OPTIONS\r\n"
                    + "Content-Length: 0\r\n\r\n";
            byte[] out = options.getBytes(StandardCharsets.US_ASCII);
            s.send(new DatagramPacket(out, out.length, InetAddress.getByName(HOST), port));
            byte[] buf = new byte[65535];
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            try {
                s.receive(in);
            } catch (SocketTimeoutException notYet) {
                return false;
            }
            return new String(buf, 0, in.getLength(), StandardCharsets.US_ASCII).startsWith("SIP/2.0 200");
        }
    }

    String host() {
        return HOST;
    }

    /** UDP and TCP. */
    int port() {
        return port;
    }

    /** TLS; only when {@link Options#withTls} was given. */
    int tlsPort() {
        if (tlsPort < 0) throw new IllegalStateException("Kamailio was started without TLS");
        return tlsPort;
    }

    /** host:port (UDP/TCP), for SIPp's remote address or a Request-URI. */
    String address() {
        return HOST + ":" + port;
    }

    Path workDir() {
        return workDir;
    }

    Path config() {
        return workDir.resolve("kamailio.cfg");
    }

    /** Kamailio's stdout and stderr (it logs to stderr), preceded by its command line. */
    Path log() {
        return log;
    }

    /** The log's content, for assertion messages. */
    String logText() {
        try {
            return "== " + log + "\n" + Files.readString(log, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "(no Kamailio log " + log + ": " + e.getMessage() + ")";
        }
    }

    /** SIGTERM (Kamailio then stops its children), SIGKILL after 5 s; waits for the processes to go. */
    @Override
    public void close() {
        process.descendants().forEach(children::add);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            for (ProcessHandle child : children) {
                try {
                    child.onExit().get(2, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException stuck) {
                    child.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Generated configuration

    private static String tlsConfig(Options o) {
        return """
                # sipdrill test server: no client certificates asked or checked
                [server:default]
                method = TLSv1.2+
                verify_certificate = no
                require_certificate = no
                certificate = %s
                private_key = %s

                [client:default]
                method = TLSv1.2+
                verify_certificate = no
                require_certificate = no
                """.formatted(o.tlsCertificate(), o.tlsKey());
    }

    /** Sets $var(password) to the configured password of the credentials' user ($au), else to junk. */
    private static String passwordRoute(Options o) {
        StringBuilder b = new StringBuilder();
        String junk = UUID.randomUUID().toString();   // unknown users: no password anyone could know
        String sep = "    ";
        for (var e : o.users().entrySet()) {
            b.append(sep).append("if ($au == \"").append(e.getKey()).append("\") {\n        $var(password) = \"")
                    .append(e.getValue()).append("\";\n    }");
            sep = " else ";
        }
        if (b.length() == 0) return "    $var(password) = \"" + junk + "\";\n";
        return b.append(" else {\n        $var(password) = \"").append(junk).append("\";\n    }\n").toString();
    }

    static String config(Options o, Path dir, int port, int tlsPort) {
        String qop = o.qopAuth() ? "1" : "0";
        String tlsCore = !o.tls() ? "" : "enable_tls=yes\nlisten=tls:127.0.0.1:" + tlsPort + "\n";
        String tlsModule = !o.tls() ? "" : "loadmodule \"tls.so\"\nmodparam(\"tls\", \"config\", \"" + dir.resolve("tls.cfg") + "\")\n";
        String inviteAuth = o.requireAuthForInvite() ? "route(AUTH);" : "# no authentication required (requireAuthForInvite=false)";
        return """
                #!KAMAILIO
                # Generated by io.sipdrill.interop.Kamailio: registrar + authenticating proxy for sipdrill tests.

                ####### Core: loopback only, no DNS, few processes #######
                debug=2
                log_stderror=yes
                children=2
                tcp_children=2
                auto_aliases=no
                dns=no
                rev_dns=no
                use_dns_cache=no
                listen=udp:127.0.0.1:@PORT@
                listen=tcp:127.0.0.1:@PORT@
                @TLS_CORE@alias="@REALM@"
                mpath="@MODULES@"

                ####### Modules #######
                @TLS_MODULE@loadmodule "tm.so"
                loadmodule "sl.so"
                loadmodule "rr.so"
                loadmodule "pv.so"
                loadmodule "maxfwd.so"
                loadmodule "textops.so"
                loadmodule "siputils.so"
                loadmodule "xlog.so"
                loadmodule "sanity.so"
                loadmodule "usrloc.so"
                loadmodule "registrar.so"
                loadmodule "auth.so"

                # bindings in memory only
                modparam("usrloc", "db_mode", 0)
                # Expires below min_expires (and not 0): 423 with Min-Expires (mode 1), not silently raised (mode 0)
                modparam("registrar", "min_expires", @MIN_EXPIRES@)
                modparam("registrar", "min_expires_mode", 1)
                modparam("registrar", "max_expires", @MAX_EXPIRES@)
                # MD5 or SHA-256; named in the challenge as algorithm=...
                modparam("auth", "algorithm", "@ALGORITHM@")
                modparam("rr", "append_fromtag", 1)

                ####### Routing #######
                request_route {
                    xlog("L_INFO", "sipdrill: $rm $ru from $proto:$si:$sp (Call-ID $ci)\\n");

                    if (!mf_process_maxfwd_header("10")) {
                        sl_send_reply("483", "Too Many Hops");
                        exit;
                    }
                    if (!sanity_check()) {
                        xlog("L_WARN", "sipdrill: malformed $rm from $si:$sp\\n");
                        exit;
                    }

                    # keepalives / readiness probes to the proxy itself
                    if (is_method("OPTIONS") && uri==myself && $rU==$null) {
                        sl_send_reply("200", "OK");
                        exit;
                    }

                    # CANCEL and retransmissions of known transactions
                    if (is_method("CANCEL")) {
                        if (t_check_trans()) route(RELAY);
                        exit;
                    }
                    if (!is_method("ACK")) t_check_trans();

                    # in-dialog requests follow the Route set recorded by the initial INVITE
                    if (has_totag()) {
                        if (loose_route()) route(RELAY);
                        if (is_method("ACK")) {
                            if (t_check_trans()) t_relay();   # ACK to a non-2xx we relayed
                            exit;                             # else: ACK to our own reply, absorbed
                        }
                        sl_send_reply("404", "Not here");
                        exit;
                    }

                    remove_hf("Route");   # no preloaded routes on initial requests

                    if (is_method("REGISTER")) route(REGISTRAR);

                    @INVITE_AUTH@

                    if (is_method("INVITE")) record_route();

                    if (uri==myself) {
                        if (!lookup("location")) {
                            sl_send_reply("404", "Not Found");
                            exit;
                        }
                    }
                    route(RELAY);
                }

                route[RELAY] {
                    if (!t_relay()) sl_reply_error();
                    exit;
                }

                # what Kamailio forwards, and over which transport (tests read this from the log)
                onsend_route {
                    if (is_request()) xlog("L_INFO", "sipdrill: sent $rm to $snd(sproto):$snd(ip):$snd(port)\n");
                }

                # $var(password) := password of the credentials' user name ($au)
                route[PASSWORD] {
                @PASSWORDS@}

                route[REGISTRAR] {
                    route(PASSWORD);
                    if (!pv_www_authenticate("@REALM@", "$var(password)", "0")) {
                        www_challenge("@REALM@", "@QOP@");   # also after a wrong password: 401 again
                        exit;
                    }
                    if ($au != $tU) {
                        sl_send_reply("403", "Forbidden: not your address of record");
                        exit;
                    }
                    consume_credentials();
                    if (!save("location")) sl_reply_error();   # 423 + Min-Expires comes from here
                    exit;
                }

                route[AUTH] {
                    route(PASSWORD);
                    if (!pv_proxy_authenticate("@REALM@", "$var(password)", "0")) {
                        proxy_challenge("@REALM@", "@QOP@");
                        exit;
                    }
                    if ($au != $fU) {
                        sl_send_reply("403", "Forbidden: From user is not the authenticated user");
                        exit;
                    }
                    consume_credentials();
                }
                """
                .replace("@TLS_CORE@", tlsCore)
                .replace("@TLS_MODULE@", tlsModule)
                .replace("@INVITE_AUTH@", inviteAuth)
                .replace("@PORT@", Integer.toString(port))
                .replace("@MODULES@", MODULES)
                .replace("@REALM@", REALM)
                .replace("@QOP@", qop)
                .replace("@MIN_EXPIRES@", Integer.toString(o.minExpires()))
                .replace("@MAX_EXPIRES@", Integer.toString(o.maxExpires()))
                .replace("@ALGORITHM@", o.algorithm())
                .replace("@PASSWORDS@", passwordRoute(o));   // last: passwords are taken literally
    }
}
