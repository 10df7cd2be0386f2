# Shared by the bench/ scripts (sourced, not run): a free loopback port, the jar, and SIPp's counters.

# A UDP port free on 127.0.0.1 now.
free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Builds target/sipdrill.jar when it is missing.
ensure_jar() { [ -f target/sipdrill.jar ] || mvn -B -q -DskipTests package; }

# "<successful> <failed>" from the last line of a SIPp -trace_stat file (cumulative counters).
sipp_counts() {
  python3 - "$1" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter=';'))
print(rows[-1][rows[0].index('SuccessfulCall(C)')], rows[-1][rows[0].index('FailedCall(C)')])
PY
}
