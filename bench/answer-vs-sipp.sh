#!/usr/bin/env bash
# Benchmark: sipdrill's answer role against SIPp's own built-in uas, both driven by SIPp's built-in
# uac on loopback (same calls, same concurrency, same run). Prints calls/s for each and the ratio.
#   bench/answer-vs-sipp.sh [CALLS] [CONCURRENT]     defaults: 20000 calls, 50 concurrent
# Needs: sipp (Debian package sip-tester), a JDK 17+ and Maven. Only 127.0.0.1 is used.
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-20000}
concurrent=${2:-50}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

. bench/_common.sh

ensure_jar

# Drives one UAS with SIPp's uac; prints "<seconds> <successful> <failed>".
drive() {
  local port=$1 name=$2 client
  client=$(free_port)
  local start end
  start=$(date +%s.%N)
  # -r is set far above what the UAS can take, so -l (concurrency) is the only limit.
  (cd "$work" && timeout 600 sipp -sn uac -i 127.0.0.1 -p "$client" -m "$calls" -l "$concurrent" -r 100000 -buff_size 4194304 \
      -nostdin -trace_stat -stf "$name.csv" -timeout 590s 127.0.0.1:"$port" >/dev/null 2>&1) || true
  end=$(date +%s.%N)
  local ok failed
  read -r ok failed < <(sipp_counts "$work/$name.csv")
  python3 -c "print(f'{$end - $start:.2f} $ok $failed')"
}

echo "SIPp built-in uac, $calls calls, $concurrent concurrent, loopback, $(nproc) cores"

sipp_port=$(free_port)
# -bg forks SIPp into the background and exits non-zero by design; its PID is printed
uas_pid=$(cd "$work" && sipp -sn uas -i 127.0.0.1 -p "$sipp_port" -buff_size 4194304 -nostdin -bg 2>&1 | grep -o 'PID=\[[0-9]*' | tr -dc 0-9 || true)
read -r s_secs s_ok s_failed < <(drive "$sipp_port" sipp-uas)
[ -n "$uas_pid" ] && kill "$uas_pid" 2>/dev/null || true

role_port=$(free_port)
java ${SIPDRILL_JAVA_OPTS:--Xmx1g} -jar target/sipdrill.jar serve --role answer --bind 127.0.0.1:"$role_port" \
    > "$work/serve.log" 2>&1 &
for _ in $(seq 100); do grep -q "listening on" "$work/serve.log" && break; sleep 0.1; done
# warm the JIT with a short run, as SIPp (native code) needs none
drive "$role_port" warmup >/dev/null
read -r d_secs d_ok d_failed < <(drive "$role_port" sipdrill-answer)
kill %1 2>/dev/null || true

python3 - "$s_secs" "$s_ok" "$s_failed" "$d_secs" "$d_ok" "$d_failed" <<'PY'
import sys
s_secs, s_ok, s_failed, d_secs, d_ok, d_failed = map(float, sys.argv[1:])
s_rate, d_rate = s_ok / s_secs, d_ok / d_secs
print(f"SIPp uas         : {s_rate:8.0f} calls/s  ({int(s_ok)} ok, {int(s_failed)} failed, {s_secs:.1f} s)")
print(f"sipdrill answer  : {d_rate:8.0f} calls/s  ({int(d_ok)} ok, {int(d_failed)} failed, {d_secs:.1f} s)")
print(f"ratio sipdrill/SIPp: {d_rate / s_rate:.2f}")
PY
