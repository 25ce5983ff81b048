#!/usr/bin/env bash
# The console's cost at saturation (README, "The web console (issue 17)"):
# one validator, 300,000 transfers at a 70,000 tx/s target, four runs each
# with "console": true and false in node.json, alternating. Build first:
# cargo build --release. Results in /tmp/ab_results.txt.
set -u
BIN="$(cd "$(dirname "$0")/.." && pwd)/target/release/eiraku"
DIR=/tmp/ab1
OUT=/tmp/ab_results.txt
: > $OUT
for run in 1 2 3 4; do
  for console in true false; do
    rm -rf $DIR
    $BIN devnet --validators 1 --dir $DIR --api-port 18700 --p2p-port 19700 > /tmp/ab_devnet.log 2>&1 &
    DEV=$!
    for i in $(seq 1 60); do grep -q "finalizing" /tmp/ab_devnet.log && break; sleep 1; done
    kill -INT $DEV; wait $DEV 2>/dev/null
    python3 - "$DIR/node0/node.json" "$console" <<'PY'
import json,sys
p,c=sys.argv[1],sys.argv[2]=="true"
s=json.load(open(p)); s["console"]=c; json.dump(s,open(p,"w"),indent=2)
PY
    $BIN devnet --validators 1 --dir $DIR --api-port 18700 --p2p-port 19700 > /tmp/ab_devnet.log 2>&1 &
    DEV=$!
    for i in $(seq 1 60); do grep -q "finalizing" /tmp/ab_devnet.log && break; sleep 1; done
    res=$($BIN bench --network $DIR --txs 300000 --accounts 1000 --rate 70000 2>/dev/null | grep -E "^(finalized|latency)" | tr '\n' ' ')
    echo "console=$console run=$run $res" | tee -a $OUT
    kill -INT $DEV; wait $DEV 2>/dev/null
  done
done
