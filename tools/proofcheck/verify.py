#!/usr/bin/env python3
"""Checks Eiraku proofs with nothing but the genesis file, written from
docs/audit.md alone (no Rust): an independent second implementation.

    python3 tools/proofcheck/verify.py --genesis genesis.json PROOF.json ...
    python3 tools/proofcheck/verify.py --genesis genesis.json --file contract.pdf contract.pdf.proof.json
    python3 tools/proofcheck/verify.py --genesis genesis.json --manifest list.json

A notary proof `F.proof.json` is checked against the file `F` beside it
unless --file names another. A manifest is a JSON list of
{"proof": path, "file": path or null}; the answer is one JSON line per entry,
{"proof", "ok", "why"}. Exit status: 0 when every proof holds, 1 otherwise.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from light_client import LightClient, ProofError  # noqa: E402


def check(client: LightClient, proof_path: str, file_path: str | None) -> str:
    """What the proof establishes, in words; raises ProofError when it does not hold."""
    try:
        with open(proof_path) as f:
            proof = json.load(f)
    except (OSError, ValueError) as why:
        raise ProofError(f"not a proof file: {why}") from None
    if not isinstance(proof, dict):
        raise ProofError("not a proof file: not a JSON object")
    if "anchor" in proof:
        file_path = file_path or proof_path.removesuffix(".proof.json")
        with open(file_path, "rb") as f:
            header, tx = client.verify_notary(proof, f.read())
        return f"{file_path}: notarized in block {header.height} at {header.timestamp_ms} ms"
    if "key" in proof:
        header, value = client.verify_state(proof)
        held = "absent" if value is None else f"holds {value.hex()}"
        return f"{proof['key']}: {held} in block {header.height}"
    header, tx = client.verify_tx(proof)
    return f"transaction {tx.hash.hex()}: final in block {header.height}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--genesis", required=True)
    parser.add_argument("--file", help="the notarized file (default: the proof's name without .proof.json)")
    parser.add_argument("--manifest", help="a JSON list of {proof, file}; answers as JSON lines")
    parser.add_argument("proofs", nargs="*")
    args = parser.parse_args()
    with open(args.genesis) as f:
        client = LightClient(json.load(f))
    if args.manifest:
        with open(args.manifest) as f:
            entries = json.load(f)
    else:
        entries = [{"proof": p, "file": args.file} for p in args.proofs]
    all_hold = True
    for entry in entries:
        try:
            said, ok = check(client, entry["proof"], entry.get("file")), True
        except ProofError as why:
            said, ok = str(why), False
        all_hold &= ok
        if args.manifest:
            print(json.dumps({"proof": entry["proof"], "ok": ok, "why": said}))
        else:
            print(f"{entry['proof']}: {'ok' if ok else 'FAILS'}: {said}")
    return 0 if all_hold else 1


if __name__ == "__main__":
    sys.exit(main())
