#!/usr/bin/env bash
# State sync at scale (README, "A validator that lost its disk"): four
# release-build validators with 100,000 genesis accounts; under load one is
# killed, its data folder deleted, and it rejoins with --state-sync. Prints
# the bytes received and the time taken. SYNC_ACCOUNTS overrides the count.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 65536 2>/dev/null || true
export SYNC_ACCOUNTS="${SYNC_ACCOUNTS:-100000}"
cargo test --release -p eiraku --test state_sync -- --nocapture 2>&1 | tee /tmp/state_sync.log
