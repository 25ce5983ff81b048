#!/usr/bin/env bash
# The WAN test (README, "Across a WAN"): four release-build validators in
# network namespaces with the delays between Tokyo, Seoul, Singapore and
# Beijing (client in Jakarta), 1 % loss and jitter; throughput and finality
# at saturation and half of it beside loopback, then a kill and a partition
# under load. Needs root. WAN_SECONDS sets each measurement's length.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 65536 2>/dev/null || true
export WAN_SECONDS="${WAN_SECONDS:-30}"
cargo test --release -p eiraku --test wan -- --ignored --nocapture 2>&1 | tee /tmp/wan.log
