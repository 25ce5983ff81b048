#!/usr/bin/env bash
# The console's page times at 100,000 accounts (README, "The web console
# (issue 17)"): the 4-validator devnet with --traffic, bench opens and funds
# 100,000 accounts, then 20 requests per page. Build first:
# cargo build --release.
set -u
BIN="$(cd "$(dirname "$0")/.." && pwd)/target/release/eiraku"
DIR=/tmp/pg
rm -rf $DIR
$BIN devnet --dir $DIR --traffic --api-port 18800 --p2p-port 19800 > /tmp/pg_devnet.log 2>&1 &
DEV=$!
for i in $(seq 1 120); do grep -q "^traffic" /tmp/pg_devnet.log && break; sleep 1; done
$BIN bench --network $DIR --accounts 100000 --senders 1000 --txs 20000 --rate 2000 > /tmp/pg_bench.log 2>&1
URL=http://127.0.0.1:18800
H=$(curl -s $URL/v1/status | python3 -c 'import json,sys; print(json.load(sys.stdin)["finalized_height"])')
TX=$(curl -s "$URL/v1/block/$((H-2))" | python3 -c 'import json,sys; b=json.load(sys.stdin); t=b.get("transactions") or b.get("txs") or []; print(t[0]["hash"] if t else "")')
FAUCET_OLDER=$(curl -s $URL/accounts/faucet | grep -o 'before=[0-9]*\.[0-9]*' | head -1)
echo "height $H tx $TX faucet-older $FAUCET_OLDER accounts $(grep -o 'opening.*' /tmp/pg_bench.log | head -1)"
for page in / /blocks/$((H-5)) /txs/$TX /accounts/alice /accounts/faucet "/accounts/faucet?$FAUCET_OLDER" /coin "/coin?window=10000" "/coin?economy=JP" /governance /registries /status "/search?q=alice" /blocks/999999999 /console/proof_checker_bg.wasm; do
  curl -s -o /dev/null "$URL$page"
  times=$(for i in $(seq 1 20); do curl -s -o /dev/null -w '%{time_total}\n' -L "$URL$page"; done | sort -n)
  median=$(echo "$times" | sed -n 10p); p95=$(echo "$times" | sed -n 19p); max=$(echo "$times" | sed -n 20p)
  status=$(curl -s -o /dev/null -w '%{http_code}' "$URL$page")
  printf '%-45s %s median %.1f ms  p95 %.1f ms  max %.1f ms\n' "$page" "$status" "$(echo "$median*1000" | bc)" "$(echo "$p95*1000" | bc)" "$(echo "$max*1000" | bc)"
done
kill -INT $DEV; wait $DEV
