#!/usr/bin/env bash
# Benchmark: the spam-callee role under SIPp load, every call carrying an A-attested PASSporT (signed
# once by secsipidx; the x5u certificate is fetched once and cached), beside the answer role taking
# the same unsigned load in the same run: calls/s of each and the cost of verification.
#   bench/spam-callee-rate.sh [CALLS] [CONCURRENT]     defaults: 10000 calls, 50 concurrent
# Needs: sipp (sip-tester), secsipidx, a JDK 17+ and Maven. Only 127.0.0.1 is used. Finishes within
# the 60 s max-age of the one token it sends.
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-10000}
concurrent=${2:-50}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
. bench/_common.sh
ensure_jar
scenario="$PWD/src/test/resources/sipp/uac-identity.xml"
java -jar target/sipdrill.jar keys init "$work/pki" > /dev/null

start_role() { # role port http-port
  java -jar target/sipdrill.jar serve --role "$1" --bind 127.0.0.1:"$2" --http 127.0.0.1:"$3" \
      --set "sipdrill.stir.sign.certificate=\"$work/pki/sp-cert.pem\"" \
      --set "sipdrill.stir.verify.trust-anchors=[\"$work/pki/ca-cert.pem\"]" > "$work/$1.log" 2>&1 &
  for _ in $(seq 100); do grep -q "listening on" "$work/$1.log" && break; sleep 0.1; done
}
drive() { # port identity expect -> seconds ok failed
  local s e
  s=$(date +%s.%N)
  (cd "$work" && timeout 300 sipp -sf "$scenario" -set orig 15551230000 \
      -set dest 15551240000 -set identity "$2" -set expect "$3" -i 127.0.0.1 -p "$(free_port)" -m "$calls" \
      -l "$concurrent" -r 100000 -nostdin -trace_stat -stf "run-$1.csv" 127.0.0.1:"$1" >/dev/null 2>&1) || true
  e=$(date +%s.%N)
  local ok failed
  read -r ok failed < <(sipp_counts "$work/run-$1.csv")
  python3 -c "print(f'{$e - $s:.2f} $ok $failed')"
}

spam=$(free_port); spam_http=$(free_port); start_role spam-callee "$spam" "$spam_http"
plain=$(free_port); plain_http=$(free_port); start_role answer "$plain" "$plain_http"
x5u="http://127.0.0.1:$spam_http/certs/sp-cert.pem"
identity=$(cd "$work" && secsipidx -sign-full -k pki/sp-key.pem -x5u "$x5u" -o 15551230000 -d 15551240000 -a A | tail -n 1)

drive "$spam" "$identity" 200 > /dev/null       # warm both JVMs (and fetch the x5u once)
drive "$plain" "" 200 > /dev/null
read -r v_secs v_ok v_failed < <(drive "$spam" "$identity" 200)
read -r p_secs p_ok p_failed < <(drive "$plain" "" 200)
python3 - "$v_secs" "$v_ok" "$v_failed" "$p_secs" "$p_ok" "$p_failed" <<'PY'
import sys
v_secs, v_ok, v_failed, p_secs, p_ok, p_failed = map(float, sys.argv[1:])
v, p = v_ok / v_secs, p_ok / p_secs
print(f"spam-callee, A-attested, x5u cached: {v:7.0f} calls/s  ({int(v_ok)} answered, {int(v_failed)} failed)")
print(f"answer role, same load unsigned:     {p:7.0f} calls/s  ({int(p_ok)} answered, {int(p_failed)} failed)")
print(f"ratio with/without verification: {v / p:.2f}")
PY
