#!/usr/bin/env bash
# The long soak (README, "Soak"): four release-build validators for 30
# minutes at about half their saturation, one at a time killed (kill -9)
# and restarted every 20 s; no 5xx, nothing lost, memory flat after warm-up,
# every store verified. SOAK_SECONDS, SOAK_RATE and SOAK_KILL_EVERY
# (seconds between kills) override the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 65536 2>/dev/null || true
export SOAK_SECONDS="${SOAK_SECONDS:-1800}"
export SOAK_RATE="${SOAK_RATE:-4000}"
cargo test --release -p eiraku --test soak -- --nocapture 2>&1 | tee /tmp/soak.log
