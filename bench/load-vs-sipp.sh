#!/usr/bin/env bash
# Benchmark: sipdrill's load mode (basic/call) calling SIPp's built-in uas, beside SIPp's own built-in
# uac calling the same uas: same calls, same concurrency. Each round runs SIPp's uac, then sipdrill as
# a user starts it (./sipdrill run ... --rate, which picks the JVM's quick compiler for load runs),
# so both see the same machine state; the median ratio over the rounds is the figure to quote.
# Besides calls/s it prints each caller's CPU time per call, which a noisy machine disturbs less.
#   bench/load-vs-sipp.sh [CALLS] [CONCURRENT] [ROUNDS]     defaults: 20000 calls, 50 concurrent, 3 rounds
# Needs: sipp (Debian package sip-tester), a JDK 17+ and Maven. Only 127.0.0.1 is used.
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-20000}
concurrent=${2:-50}
rounds=${3:-3}
work=$(mktemp -d)
uas_pid=""
trap '[ -n "$uas_pid" ] && kill "$uas_pid" 2>/dev/null; rm -rf "$work"' EXIT
. bench/_common.sh
ensure_jar

port=$(free_port)
# -bg forks SIPp into the background and exits non-zero by design; its PID is printed
uas_pid=$(cd "$work" && sipp -sn uas -i 127.0.0.1 -p "$port" -buff_size 4194304 -nostdin -bg 2>&1 | grep -o 'PID=\[[0-9]*' | tr -dc 0-9 || true)
echo "one SIPp built-in uas on 127.0.0.1:$port; $calls calls, $concurrent concurrent, $(nproc) cores, $rounds rounds"

cpu() { awk '{printf "%.2f", $1 + $2}' "$1"; }  # user + system seconds from /usr/bin/time -f "%U %S"

for r in $(seq "$rounds"); do
  client=$(free_port)
  start=$(date +%s.%N)
  (cd "$work" && /usr/bin/time -f "%U %S" -o sipp.cpu timeout 600 sipp -sn uac -i 127.0.0.1 -p "$client" -m "$calls" \
      -l "$concurrent" -r 100000 -buff_size 4194304 -nostdin -trace_stat -stf "uac$r.csv" -timeout 590s \
      127.0.0.1:"$port" >/dev/null 2>&1) || true
  end=$(date +%s.%N)
  read -r s_ok s_failed < <(sipp_counts "$work/uac$r.csv")
  s_secs=$(python3 -c "print($end - $start)")

  /usr/bin/time -f "%U %S" -o "$work/sipdrill.cpu" ./sipdrill run basic/call --target sip:service@127.0.0.1:"$port" \
      --rate 100000 --calls "$calls" --max-concurrent "$concurrent" > "$work/load$r.txt" 2>&1 || true
  read -r d_ok d_failed d_secs < <(sed -n \
      's/^summary: \([0-9]*\) started, \([0-9]*\) passed, \([0-9]*\) failed in \([0-9.]*\) s.*/\2 \3 \4/p' "$work/load$r.txt")
  echo "$s_secs $s_ok $s_failed $(cpu "$work/sipp.cpu") ${d_secs:-0} ${d_ok:-0} ${d_failed:-0} $(cpu "$work/sipdrill.cpu")" >> "$work/rounds"
done

python3 - "$work/rounds" <<'PY'
import statistics, sys
ratios = []
for i, line in enumerate(open(sys.argv[1]), 1):
    s_secs, s_ok, s_failed, s_cpu, d_secs, d_ok, d_failed, d_cpu = map(float, line.split())
    s_rate, d_rate = s_ok / s_secs, (d_ok / d_secs if d_secs else 0.0)
    ratios.append(d_rate / s_rate)
    print(f"round {i}: SIPp uac {s_rate:6.0f} calls/s ({int(s_ok)} ok, {int(s_failed)} failed, {1000 * s_cpu / s_ok:.2f} ms CPU/call)"
          f" | sipdrill {d_rate:6.0f} calls/s ({int(d_ok)} ok, {int(d_failed)} failed,"
          f" {1000 * d_cpu / max(d_ok, 1):.2f} ms CPU/call incl. JVM start) | ratio {d_rate / s_rate:.2f}")
print(f"median ratio sipdrill/SIPp: {statistics.median(ratios):.2f} (min {min(ratios):.2f}, max {max(ratios):.2f})")
PY
grep -E "response time|failures" "$work/load1.txt" || true
