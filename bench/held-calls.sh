#!/usr/bin/env bash
# Benchmark: heap the answer role needs for many established calls held at once. SIPp's built-in uac
# sets up CALLS calls that each stay up HOLD ms; the heap is measured (after a full GC) while they are
# all up, and again once they have ended and JAIN-SIP's lingering state (about 32 s) has expired.
#   bench/held-calls.sh [CALLS] [HOLD_MS]     defaults: 10000 calls held 45000 ms
# Needs: sipp (Debian package sip-tester), a JDK 17+ and Maven. Only 127.0.0.1 is used.
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-10000}
hold=${2:-45000}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
. bench/_common.sh
ensure_jar
heap() { jcmd "$1" GC.run >/dev/null; jcmd "$1" GC.heap_info | sed -n 's/.*total \([0-9]*\)K, used \([0-9]*\)K.*/\2/p' | head -n 1; }

port=$(free_port)
java -Xmx2g -jar target/sipdrill.jar serve --role answer --bind 127.0.0.1:"$port" > "$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/serve.log" && break; sleep 0.1; done
before=$(heap "$pid")
rate=1000
(cd "$work" && timeout 600 sipp -sn uac -i 127.0.0.1 -p "$(free_port)" -m "$calls" -l "$calls" -r "$rate" -d "$hold" \
    -nostdin -trace_stat -stf uac.csv -fd 1 127.0.0.1:"$port" >/dev/null 2>&1) &
# all calls are up once they have been placed (calls/rate s) and none has ended yet (hold)
sleep $(( calls / rate + 5 ))
up=$(python3 - "$work/uac.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter=';'))
print(rows[-1][rows[0].index('CurrentCall')])
PY
)
during=$(heap "$pid")
wait %2 || true
ok=$(sipp_counts "$work/uac.csv")
sleep 40
after=$(heap "$pid")
echo "answer role, $calls calls held $hold ms (SIPp uac at $rate calls/s), 2 cores"
echo "calls up at once (SIPp's count): $up; successful, failed at the end: $ok"
echo "live heap before: $((before / 1024)) MiB, with the calls up: $((during / 1024)) MiB, 40 s after they ended: $((after / 1024)) MiB"
echo "per held call: $(( (during - before) / up )) KiB"
