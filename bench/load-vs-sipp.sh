#!/usr/bin/env bash
# Benchmark: sipdrill's load mode (basic/call) calling SIPp's built-in uas, beside SIPp's own built-in
# uac calling the same uas, in the same run: same calls, same concurrency. Prints calls/s and the ratio.
#   bench/load-vs-sipp.sh [CALLS] [CONCURRENT]     defaults: 20000 calls, 50 concurrent
# Needs: sipp (Debian package sip-tester), a JDK 17+ and Maven. Only 127.0.0.1 is used.
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-20000}
concurrent=${2:-50}
work=$(mktemp -d)
uas_pid=""
trap '[ -n "$uas_pid" ] && kill "$uas_pid" 2>/dev/null; rm -rf "$work"' EXIT
. bench/_common.sh
ensure_jar

port=$(free_port)
# -bg forks SIPp into the background and exits non-zero by design; its PID is printed
uas_pid=$(cd "$work" && sipp -sn uas -i 127.0.0.1 -p "$port" -buff_size 4194304 -nostdin -bg 2>&1 | grep -o 'PID=\[[0-9]*' | tr -dc 0-9 || true)
echo "one SIPp built-in uas on 127.0.0.1:$port; $calls calls, $concurrent concurrent, $(nproc) cores"

client=$(free_port)
start=$(date +%s.%N)
(cd "$work" && timeout 600 sipp -sn uac -i 127.0.0.1 -p "$client" -m "$calls" -l "$concurrent" -r 100000 -buff_size 4194304 \
    -nostdin -trace_stat -stf uac.csv -timeout 590s 127.0.0.1:"$port" >/dev/null 2>&1) || true
end=$(date +%s.%N)
read -r s_ok s_failed < <(sipp_counts "$work/uac.csv")
s_secs=$(python3 -c "print($end - $start)")

# Two sipdrill runs, each in a fresh JVM as a user would start it: the default JVM, and the JVM
# with only its quick compiler (C1). In a run this short, compiling JAIN-SIP with C2 costs more CPU
# than it saves (a JFR profile showed 48 s of compiler time against 58 s of CPU in a 30,000-call run).
# SIPDRILL_JAVA_OPTS adds options to both.
run_sipdrill() {  # $1 = extra JVM options, $2 = output file
  java ${SIPDRILL_JAVA_OPTS:-} $1 -jar target/sipdrill.jar run basic/call --target sip:service@127.0.0.1:"$port" \
      --rate 100000 --calls "$calls" --max-concurrent "$concurrent" > "$2" 2>&1 || true
  sed -n 's/^summary: \([0-9]*\) started, \([0-9]*\) passed, \([0-9]*\) failed in \([0-9.]*\) s.*/\2 \3 \4/p' "$2"
}
read -r d_ok d_failed d_secs < <(run_sipdrill "" "$work/load.txt")
read -r c_ok c_failed c_secs < <(run_sipdrill "-XX:TieredStopAtLevel=1" "$work/load-c1.txt")

python3 - "$s_secs" "$s_ok" "$s_failed" "$d_secs" "$d_ok" "$d_failed" "$c_secs" "$c_ok" "$c_failed" <<'PY'
import sys
s_secs, s_ok, s_failed, d_secs, d_ok, d_failed, c_secs, c_ok, c_failed = map(float, sys.argv[1:])
s_rate, d_rate, c_rate = s_ok / s_secs, d_ok / d_secs, c_ok / c_secs
print(f"SIPp uac -> SIPp uas                : {s_rate:8.0f} calls/s  ({int(s_ok)} ok, {int(s_failed)} failed, {s_secs:.1f} s)")
print(f"sipdrill load -> SIPp uas           : {d_rate:8.0f} calls/s  ({int(d_ok)} ok, {int(d_failed)} failed, {d_secs:.1f} s)")
print(f"  same, -XX:TieredStopAtLevel=1     : {c_rate:8.0f} calls/s  ({int(c_ok)} ok, {int(c_failed)} failed, {c_secs:.1f} s)")
print(f"ratio sipdrill/SIPp: {d_rate / s_rate:.2f} (default JVM), {c_rate / s_rate:.2f} (C1 only)")
PY
grep -E "response time|failures" "$work/load.txt" || true
