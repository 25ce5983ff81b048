#!/usr/bin/env python3
"""Crash validators of a local devnet under load and time their recovery.

Starts `eiraku devnet` (4 validators, a fresh chain in DIR), runs
`eiraku bench` at RATE transactions per second against validator 0, and
after 25 seconds of load kills each VICTIM in turn with SIGKILL, restarts it
6 seconds later while the load goes on, and reports how long it took to be
back within 5 blocks of the others (and to stay there for 2 seconds), the
largest lag over the next 60 seconds, and how long SIGTERM then takes to stop
it. Once the load has ended it crashes validator 3 again and times the same
catch-up on an idle network. Needs a release build (`cargo build --release`).

    python3 scripts/restart_under_load.py [--dir DIR] [--rate RATE] [--victims 3,2,1]
"""
import argparse, json, os, signal, subprocess, time, urllib.request

EIRAKU = os.path.join(os.path.dirname(__file__), "..", "target", "release", "eiraku")
MAX_LAG = 5


def height(node):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{8700 + node}/v1/status", timeout=2) as r:
            return json.load(r)["finalized_height"]
    except OSError:
        return None


def lag(victim):
    others = [h for h in (height(n) for n in range(4) if n != victim) if h is not None]
    own = height(victim)
    return None if not others or own is None else max(0, max(others) - own)


def start(home):
    log = open(os.path.join(home, "node.log"), "a")
    node = subprocess.Popen([EIRAKU, "node", "--home", home], stdout=log, stderr=log,
                            env={**os.environ, "RUST_LOG": "warn,eiraku_node=info"})
    with open(os.path.join(home, "node.pid"), "w") as pid:
        pid.write(str(node.pid))
    return node


def crash_and_restart(home):
    with open(os.path.join(home, "node.pid")) as pid:
        os.kill(int(pid.read()), signal.SIGKILL)
    time.sleep(6)
    return start(home)


def until_following(victim, limit=180):
    """Seconds until `victim` has stayed within MAX_LAG blocks for 2 s."""
    started, within_since = time.time(), None
    while time.time() - started < limit:
        current = lag(victim)
        if current is not None and current <= MAX_LAG:
            within_since = within_since or time.time()
            if time.time() - within_since >= 2:
                return within_since - started
        else:
            within_since = None
        time.sleep(0.25)
    raise SystemExit(f"validator {victim} did not catch up within {limit} s")


def main():
    args = argparse.ArgumentParser()
    args.add_argument("--dir", default="restart-devnet")
    args.add_argument("--rate", type=int, default=4000)
    args.add_argument("--victims", default="3")
    args = args.parse_args()
    victims = [int(v) for v in args.victims.split(",")]
    home = lambda v: os.path.join(args.dir, f"node{v}")
    devnet = subprocess.Popen([EIRAKU, "devnet", "--dir", args.dir, "--fresh"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    while (height(3) or 0) < 2:
        time.sleep(0.5)
    bench = subprocess.Popen([EIRAKU, "bench", "--network", args.dir, "--txs", str(args.rate * 150),
                              "--rate", str(args.rate), "--node", "http://127.0.0.1:8700"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    restarted = []
    try:
        time.sleep(25)
        for victim in victims:
            node = crash_and_restart(home(victim))
            print(f"validator {victim}, under load: back within {MAX_LAG} blocks "
                  f"{until_following(victim):.1f} s after its restart", flush=True)
            restarted.append(node)
        worst, started = 0, time.time()
        while time.time() - started < 60:
            worst = max([worst] + [lag(v) or 0 for v in victims])
            time.sleep(0.25)
        print(f"largest lag over the next 60 s: {worst} blocks", flush=True)
        node = restarted.pop()
        started = time.time()
        node.send_signal(signal.SIGTERM)
        code = node.wait(30)
        print(f"SIGTERM: exit {code} after {time.time() - started:.2f} s", flush=True)
        restarted.append(start(home(victims[-1])))
        until_following(victims[-1])
        print(bench.communicate()[0].strip().splitlines()[-3:], flush=True)
        restarted.append(crash_and_restart(home(3)))
        print(f"validator 3, idle: back within {MAX_LAG} blocks "
              f"{until_following(3):.1f} s after its restart", flush=True)
    finally:
        for node in restarted:
            node.send_signal(signal.SIGTERM)
        devnet.send_signal(signal.SIGINT)
        devnet.wait(30)


if __name__ == "__main__":
    main()
