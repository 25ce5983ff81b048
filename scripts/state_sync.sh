#!/usr/bin/env bash
# State sync and restore at scale (README, "A validator that lost its
# disk"): four release-build validators with 100,000 genesis accounts;
# under load one is killed and its data folder deleted, then it rejoins
# with --state-sync (bytes received, time taken), and in the second test is
# restored from another's backup (backup size and time, restore time, time
# to catch up). SCALE_ACCOUNTS overrides the count.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 65536 2>/dev/null || true
export SCALE_ACCOUNTS="${SCALE_ACCOUNTS:-100000}"
cargo test --release -p eiraku --test state_sync --test backup -- --nocapture 2>&1 | tee /tmp/state_sync.log
