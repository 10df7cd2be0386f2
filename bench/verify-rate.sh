#!/usr/bin/env bash
# Benchmark: PASSporT verifications per second on one thread with the x5u certificate cached,
# sipdrill's verifier against the JDK's own ES256. Only 127.0.0.1 is used (the x5u fetch).
#   bench/verify-rate.sh [SECONDS]      default 5
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/sipdrill.jar ] || mvn -B -q -DskipTests package
exec java -XX:ActiveProcessorCount=1 -cp target/sipdrill.jar bench/VerifyRate.java "${1:-5}"
