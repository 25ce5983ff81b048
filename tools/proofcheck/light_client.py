"""The checks of docs/audit.md, in its order: a transaction, a state entry
or its absence, a notarized file; each final under the set of its epoch,
which the genesis file and the proof's handoffs give."""

import json
import re

import bmt
import certificate
import qmdb
import state_key
from block import (decode_header, decode_transaction, decode_validator_set, sha256,
                   signature_verifies)
from codec import Malformed

TX_PROOF_VERSION = 1
STATE_PROOF_VERSION = 2
MAX_DESCENDANTS = 256
MAX_HANDOFFS = 1024
ACTIVE_SET = "validators/active"


class ProofError(Exception):
    """Why a proof does not hold (the Rust client's ProofError, in words)."""


def hex_field(proof: dict, name: str, what: str | None = None) -> bytes:
    """A lower-case hex field: a proof has exactly one spelling."""
    return hex_text(proof.get(name) if isinstance(proof, dict) else None, what or name)


def hex_text(text, what: str) -> bytes:
    if not isinstance(text, str) or not re.fullmatch(r"(?:[0-9a-f]{2})*", text):
        raise ProofError(f"the proof's {what} does not decode")
    return bytes.fromhex(text)


def decoded(what: str, decode, *args):
    try:
        return decode(*args)
    except Malformed as why:
        raise ProofError(f"the proof's {what} does not decode ({why})") from None


class LightClient:
    def __init__(self, genesis: dict):
        self.chain_id = genesis["chain_id"]
        self.epoch_length = genesis.get("epoch_length")
        if self.epoch_length == 0:
            raise ProofError("an epoch holds at least one block")
        keys = [bytes.fromhex(v["public_key"]) for v in genesis["validators"]]
        if len(set(keys)) != len(keys):
            raise ProofError("a validator is listed twice")
        self.sets = {0: sorted(keys)}   # epoch -> the set signing from it on

    def epoch_of(self, height: int) -> int:
        return height // self.epoch_length if self.epoch_length else 0

    def ends_epoch(self, height: int) -> bool:
        return bool(self.epoch_length) and (height + 1) % self.epoch_length == 0

    def set_of(self, epoch: int) -> list:
        return self.sets[max(e for e in self.sets if e <= epoch)]

    # Finality -----------------------------------------------------------

    def verify_finality(self, header, raw_certificate: bytes):
        fin = decoded("certificate", certificate.decode_finalization, raw_certificate)
        if fin.epoch != self.epoch_of(header.height):
            raise ProofError(f"the certificate of block {header.height} is of epoch "
                             f"{fin.epoch}, not the block's")
        if not certificate.verify_finalization(fin, self.set_of(fin.epoch)):
            raise ProofError("the finalization certificate is not signed by a quorum "
                             "of its epoch's validators")
        if fin.payload != header.digest:
            raise ProofError("the finalization certificate finalizes another block")

    def verify_finality_through(self, header, descendants, raw_certificate: bytes):
        if not isinstance(descendants, list) or len(descendants) > MAX_DESCENDANTS:
            raise ProofError("the proof's descendants does not decode")
        last = header
        for text in descendants:
            child = decoded("descendants", decode_header, hex_text(text, "descendants"))
            if child.parent != last.digest or child.height != last.height + 1:
                raise ProofError(f"the descendant header at height {child.height} is not "
                                 "the child of the one before it")
            last = child
        self.verify_finality(last, raw_certificate)

    # Handoffs -----------------------------------------------------------

    def following(self, handoffs) -> "LightClient":
        if not isinstance(handoffs, list) or len(handoffs) > MAX_HANDOFFS:
            raise ProofError("the proof's handoffs does not decode")
        client = self.copy()
        for handoff in handoffs:
            client.follow(handoff)
        return client

    def copy(self) -> "LightClient":
        client = object.__new__(LightClient)
        client.chain_id, client.epoch_length = self.chain_id, self.epoch_length
        client.sets = dict(self.sets)
        return client

    def follow(self, handoff: dict):
        header = decoded("header", decode_header, hex_field(handoff, "header"))

        def bad(why):
            return ProofError(f"the validator-set handoff after block {header.height} "
                              f"does not hold: {why}")
        if not self.ends_epoch(header.height):
            raise bad("the block does not end an epoch")
        following_epoch = self.epoch_of(header.height) + 1
        if max(self.sets) >= following_epoch:
            raise bad("handoffs must follow one another, each to a later epoch")
        self.verify_finality(header, hex_field(handoff, "certificate", "handoff certificate"))
        raw_set = hex_field(handoff, "set", "handoff set")
        try:
            keys = decode_validator_set(raw_set)
        except Malformed:
            raise bad("the set does not decode") from None
        proof = hex_field(handoff, "proof", "handoff proof")
        if not qmdb.verify_present(proof, state_key.hashed(ACTIVE_SET), raw_set,
                                   header.state_root):
            raise bad("the set is not the block's active set")
        self.sets[following_epoch] = keys

    # Proofs -------------------------------------------------------------

    def check_envelope(self, proof: dict, version: int):
        if proof.get("version") != version:
            raise ProofError(f"proof version {proof.get('version')} is not supported")
        if proof.get("chain_id") != self.chain_id:
            raise ProofError(f"the proof is for chain {proof.get('chain_id')!r}, "
                             f"not {self.chain_id!r}")

    def verify_tx(self, proof: dict):
        self.check_envelope(proof, TX_PROOF_VERSION)
        header = decoded("header", decode_header, hex_field(proof, "header"))
        raw_tx = hex_field(proof, "transaction")
        tx = decoded("transaction", decode_transaction, raw_tx)
        path = decoded("path", bmt.decode_path, hex_field(proof, "path"), 1)
        position = proof.get("position")
        if not isinstance(position, int) or not 0 <= position < 1 << 32:
            raise ProofError("the proof's position does not decode")
        if not bmt.verify_inclusion(path, tx.hash, position, header.tx_root):
            raise ProofError(f"the transaction is not at position {position} under the "
                             "block's transaction root")
        if not signature_verifies(tx, raw_tx):
            raise ProofError("the transaction's signature does not verify")
        self.following(proof.get("handoffs", [])).verify_finality_through(
            header, proof.get("descendants", []), hex_field(proof, "certificate"))
        return header, tx

    def verify_state(self, proof: dict):
        self.check_envelope(proof, STATE_PROOF_VERSION)
        header = decoded("header", decode_header, hex_field(proof, "header"))
        client = self.following(proof.get("handoffs", []))
        client.verify_finality(header, hex_field(proof, "certificate"))
        key = decoded("key", state_key.hashed, proof.get("key") or "")
        value = None if proof.get("value") is None else hex_field(proof, "value")
        raw = hex_field(proof, "proof")
        holds = (qmdb.verify_absent(raw, key, header.state_root) if value is None
                 else qmdb.verify_present(raw, key, value, header.state_root))
        if not holds:
            raise ProofError("the revealed entry is not under the block's state root")
        return header, value

    def verify_notary(self, proof: dict, file: bytes):
        if proof.get("version") != TX_PROOF_VERSION:
            raise ProofError(f"proof version {proof.get('version')} is not supported")
        anchor = proof.get("anchor")
        if not isinstance(anchor, dict):
            raise ProofError("the proof's anchor does not decode")
        self.check_envelope(anchor, TX_PROOF_VERSION)
        if sha256(file).hex() != proof.get("file_sha256"):
            raise ProofError(f"the file's SHA-256 is {sha256(file).hex()}, the proof is for "
                             f"{proof.get('file_sha256')}")
        header, tx = self.verify_tx(anchor)
        if tx.anchor is None:
            raise ProofError("the proven transaction is not an anchoring transaction")
        root, leaves = tx.anchor
        path = decoded("batch_path", bmt.decode_path, hex_field(proof, "batch_path"), 1)
        if path.leaf_count != leaves:
            raise ProofError("the proof's batch_path does not decode")
        position = proof.get("batch_position")
        if not isinstance(position, int) or not 0 <= position < 1 << 32:
            raise ProofError("the proof's batch_position does not decode")
        if not bmt.verify_inclusion(path, sha256(file), position, root):
            raise ProofError(f"the file's digest is not at position {position} of the "
                             "anchored batch")
        return header, tx


def load_genesis(path: str) -> LightClient:
    with open(path) as f:
        return LightClient(json.load(f))
