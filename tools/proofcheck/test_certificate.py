"""Finalization certificates (certificate.py) and binary Merkle
proofs (bmt.py), on the vectors of docs/vectors and on trees and
certificates made here.

Run from the repository root: python3 -m unittest discover -s tools/proofcheck
"""

import hashlib
import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import (  # noqa: E402
    Ed25519PrivateKey, Ed25519PublicKey)

import block  # noqa: E402
import bmt  # noqa: E402
import certificate  # noqa: E402
from codec import Malformed  # noqa: E402

VECTORS = os.path.join(HERE, "..", "..", "docs", "vectors")


def load(name):
    with open(os.path.join(VECTORS, name)) as f:
        return json.load(f)


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


GENESIS = load("genesis.json")
GENESIS_KEYS = [bytes.fromhex(v["public_key"]) for v in GENESIS["validators"]]
EPOCH_LENGTH = GENESIS.get("epoch_length")  # absent: one epoch
BEFORE = load("tx-before-change.proof.json")
AFTER = load("tx-after-change.proof.json")
HANDOFF = AFTER["handoffs"][0]
AFTER_KEYS = block.decode_validator_set(bytes.fromhex(HANDOFF["set"]))
NOTARY = {name: load(name + ".proof.json") for name in ("contract.txt", "minutes.txt", "annex.txt")}


def epoch_of(height: int) -> int:
    return height // EPOCH_LENGTH if EPOCH_LENGTH else 0


def height_of(header: bytes) -> int:
    """The header's height: u64 big-endian 80 bytes before its end (then
    timestamp 8, transaction root 32, state root 32)."""
    return int.from_bytes(header[-80:-72], "big")


# (what, header, certificate, the set that signed it, the other set)
CERTIFICATES = [
    ("tx before the change", BEFORE["header"], BEFORE["certificate"], GENESIS_KEYS, AFTER_KEYS),
    ("tx after the change", AFTER["header"], AFTER["certificate"], AFTER_KEYS, GENESIS_KEYS),
    ("handoff", HANDOFF["header"], HANDOFF["certificate"], GENESIS_KEYS, AFTER_KEYS),
    ("notary anchor", NOTARY["annex.txt"]["anchor"]["header"],
     NOTARY["annex.txt"]["anchor"]["certificate"], AFTER_KEYS, GENESIS_KEYS),
]


def holds(raw: bytes, header: bytes, keys) -> bool:
    """The whole finality check of LightClient::verify_finality."""
    try:
        fin = certificate.decode_finalization(raw)
    except Malformed:
        return False
    return (fin.epoch == epoch_of(height_of(header))
            and fin.payload == sha256(header)
            and certificate.verify_finalization(fin, keys))


def replace(fin, **fields):
    values = dict(fin.__dict__)
    values.update(fields)
    return certificate.Finalization(**values)


class RealCertificates(unittest.TestCase):
    def test_the_vectors_are_what_the_tests_assume(self):
        self.assertEqual(len(GENESIS_KEYS), 4)
        self.assertEqual(len(AFTER_KEYS), 4)
        self.assertNotEqual(sorted(GENESIS_KEYS), AFTER_KEYS)
        self.assertEqual(EPOCH_LENGTH, 20)

    def test_each_verifies_with_its_set_and_not_the_other(self):
        for what, header, raw, right, wrong in CERTIFICATES:
            with self.subTest(what):
                header, raw = bytes.fromhex(header), bytes.fromhex(raw)
                fin = certificate.decode_finalization(raw)
                self.assertEqual(fin.encode(), raw)
                self.assertEqual(fin.payload, sha256(header))
                self.assertEqual(height_of(header), block.decode_header(header).height)
                self.assertEqual(fin.epoch, epoch_of(height_of(header)))
                self.assertTrue(certificate.verify_finalization(fin, right))
                self.assertTrue(certificate.verify_finalization(fin, list(reversed(right))))
                self.assertFalse(certificate.verify_finalization(fin, wrong))
                self.assertTrue(holds(raw, header, right))
                self.assertFalse(holds(raw, header, wrong))

    def test_the_layout(self):
        fin = certificate.decode_finalization(bytes.fromhex(BEFORE["certificate"]))
        self.assertEqual((fin.epoch, fin.view, fin.parent), (0, 4, 3))
        self.assertEqual((fin.participants, fin.signers), (4, (0, 2, 3)))
        raw = bytes.fromhex(BEFORE["certificate"])
        self.assertEqual(raw[:3], bytes([0, 4, 3]))
        self.assertEqual(raw[35:44], bytes.fromhex("0000000000000004" "0d"))
        self.assertEqual(raw[44], 3)
        self.assertEqual(len(raw), 3 + 32 + 8 + 1 + 1 + 3 * 64)

    def test_the_signed_message(self):
        fin = certificate.decode_finalization(bytes.fromhex(BEFORE["certificate"]))
        message = certificate.signed_message(fin)
        self.assertEqual(message, b"\x19EIRAKU_CONSENSUS_FINALIZE" + bytes([0, 4, 3]) + fin.payload)
        key = sorted(GENESIS_KEYS)[fin.signers[0]]
        Ed25519PublicKey.from_public_bytes(key).verify(fin.signatures[0], message)

    def test_any_flipped_bit_fails(self):
        for what, header, raw, right, _ in CERTIFICATES:
            header, raw = bytes.fromhex(header), bytes.fromhex(raw)
            for bit in range(8 * len(raw)):
                flipped = bytearray(raw)
                flipped[bit // 8] ^= 1 << (bit % 8)
                with self.subTest(what, bit=bit):
                    self.assertFalse(holds(bytes(flipped), header, right))

    def test_a_wrong_payload_fails(self):
        for what, header, raw, right, _ in CERTIFICATES:
            with self.subTest(what):
                fin = certificate.decode_finalization(bytes.fromhex(raw))
                other = replace(fin, payload=sha256(fin.payload))
                self.assertFalse(certificate.verify_finalization(other, right))

    def test_a_signer_fewer_than_quorum_fails(self):
        for what, header, raw, right, _ in CERTIFICATES:
            fin = certificate.decode_finalization(bytes.fromhex(raw))
            self.assertEqual(len(fin.signers), certificate.quorum(4))
            for drop in range(len(fin.signers)):
                with self.subTest(what, drop=drop):
                    fewer = replace(fin, signers=fin.signers[:drop] + fin.signers[drop + 1:],
                                    signatures=fin.signatures[:drop] + fin.signatures[drop + 1:])
                    again = certificate.decode_finalization(fewer.encode())
                    self.assertFalse(certificate.verify_finalization(again, right))

    def test_signatures_belong_to_their_index(self):
        fin = certificate.decode_finalization(bytes.fromhex(BEFORE["certificate"]))
        swapped = replace(fin, signatures=(fin.signatures[1], fin.signatures[0]) + fin.signatures[2:])
        self.assertFalse(certificate.verify_finalization(swapped, GENESIS_KEYS))
        moved = replace(fin, signers=(1,) + fin.signers[1:])
        self.assertFalse(certificate.verify_finalization(moved, GENESIS_KEYS))

    def test_the_bitmap_must_be_as_long_as_the_set(self):
        fin = certificate.decode_finalization(bytes.fromhex(BEFORE["certificate"]))
        for bits in (5, 8, 9, 16):
            wider = certificate.decode_finalization(replace(fin, participants=bits).encode())
            self.assertFalse(certificate.verify_finalization(wider, GENESIS_KEYS))
        with self.assertRaises(Malformed):   # signer 3 past a 3-bit bitmap
            certificate.decode_finalization(replace(fin, participants=3).encode())
        # A fifth key: the set is not the one that signed, whatever the bits.
        fifth = sorted(GENESIS_KEYS + [k for k in AFTER_KEYS if k not in GENESIS_KEYS][:1])
        self.assertFalse(certificate.verify_finalization(fin, fifth))

    def test_bad_sets_are_refused(self):
        fin = certificate.decode_finalization(bytes.fromhex(BEFORE["certificate"]))
        with self.assertRaises(ValueError):
            certificate.verify_finalization(fin, GENESIS_KEYS + GENESIS_KEYS[:1])


class Decoding(unittest.TestCase):
    RAW = bytes.fromhex(BEFORE["certificate"])

    def refused(self, data):
        with self.assertRaises(Malformed):
            certificate.decode_finalization(bytes(data))

    def test_truncation_and_trailing_bytes(self):
        for end in range(len(self.RAW)):
            self.refused(self.RAW[:end])
        self.refused(self.RAW + b"\0")

    def test_non_canonical_varints(self):
        self.refused(bytes([0x80, 0x00]) + self.RAW[1:])        # epoch 0 in two bytes
        self.refused(self.RAW[:44] + bytes([0x83, 0x00]) + self.RAW[45:])  # signature count
        eleven = b"\xff" * 9 + b"\x02"                           # more than 64 bits
        self.refused(eleven + self.RAW[1:])

    def test_large_varints_are_read(self):
        fin = certificate.decode_finalization(self.RAW)
        top = replace(fin, epoch=2**64 - 1, view=2**63, parent=128)
        self.assertEqual(certificate.decode_finalization(top.encode()), top)

    def test_bitmap_rules(self):
        fin = certificate.decode_finalization(self.RAW)
        stray = bytearray(self.RAW)
        stray[43] |= 0x10                                   # bit 4 of a 4-bit bitmap
        self.refused(stray)
        none = replace(fin, signers=(), signatures=())
        self.refused(none.encode())
        too_long = bytearray(self.RAW)
        too_long[35:43] = (2**32).to_bytes(8, "big")
        self.refused(too_long)
        for signatures in (fin.signatures[:2], fin.signatures + fin.signatures[:1]):
            self.refused(replace(fin, signatures=signatures).encode())

    def test_a_long_empty_bitmap_still_decodes(self):
        fin = certificate.decode_finalization(self.RAW)
        wide = replace(fin, participants=200, signers=(0, 2, 3, 199),
                       signatures=fin.signatures + fin.signatures[:1])
        self.assertEqual(certificate.decode_finalization(wide.encode()), wide)
        self.assertFalse(certificate.verify_finalization(wide, GENESIS_KEYS))


class MadeCertificates(unittest.TestCase):
    """Certificates signed here by sets of every size from 1 to 13."""

    @staticmethod
    def keys(n):
        private = [Ed25519PrivateKey.from_private_bytes(sha256(bytes([n, i]))) for i in range(n)]
        public = [k.public_key().public_bytes(serialization.Encoding.Raw,
                                              serialization.PublicFormat.Raw) for k in private]
        order = sorted(range(n), key=lambda i: public[i])
        return [private[i] for i in order], [public[i] for i in order]

    @staticmethod
    def sign(private, n, signers, payload=b"\x11" * 32):
        fin = certificate.Finalization(7, 300, 299, payload, n, (), ())
        message = certificate.signed_message(fin)
        return replace(fin, signers=tuple(signers),
                       signatures=tuple(private[i].sign(message) for i in signers))

    def test_quorum_table(self):
        # commonware-utils src/faults.rs test cases (n, f, q).
        table = [(1, 0, 1), (2, 0, 2), (3, 0, 3), (4, 1, 3), (5, 1, 4), (6, 1, 5), (7, 2, 5),
                 (8, 2, 6), (9, 2, 7), (10, 3, 7), (13, 4, 9), (16, 5, 11), (21, 6, 15)]
        for n, f, q in table:
            self.assertEqual(certificate.quorum(n), q)
            self.assertEqual(n - q, f)
        with self.assertRaises(ValueError):
            certificate.quorum(0)

    def test_exactly_a_quorum_is_enough(self):
        for n in range(1, 14):
            private, public = self.keys(n)
            q = certificate.quorum(n)
            for count in (q - 1, q, n):
                if count < 1:
                    continue
                signers = list(range(n - count, n))      # the highest indices
                fin = self.sign(private, n, signers)
                with self.subTest(n=n, count=count):
                    fin = certificate.decode_finalization(fin.encode())
                    self.assertEqual(certificate.verify_finalization(fin, public), count >= q)

    def test_another_namespace_does_not_verify(self):
        private, public = self.keys(4)
        fin = self.sign(private, 4, [0, 1, 2])
        self.assertTrue(certificate.verify_finalization(fin, public))
        self.assertFalse(certificate.verify_finalization(fin, public, namespace=b"OTHER"))


def tree_leaves(n: int) -> list:
    """SHA-256 of each index as a u32, big-endian: the leaves the Rust roots
    below were printed for."""
    return [sha256(i.to_bytes(4, "big")) for i in range(n)]


class MerkleTrees(unittest.TestCase):
    # Tree::root and Tree::proof of commonware-storage 2026.10.0 over
    # SHA-256(i as u32 big-endian) for i < n, printed by a Rust build.
    RUST_ROOTS = {
        0: "d4f280154cb1f1ecee668774e73759cdff911f869b36bb77a89b2e1d91166e63",
        1: "9301fbec795d58a225af2dc4134681f8959c78ec552265188bdad133a7dca894",
        3: "ac2ec297580ba2333ecb6eaf63a98c23c44e5427a38fb767b6b19a9384d043f9",
    }
    RUST_PROOF_3_2 = "000000030135135ab03be15405e38ac32eec4c08bb6a62638f801dc24f3b67437615a7cd68"

    def test_roots_and_a_proof_match_rust(self):
        for n, root in self.RUST_ROOTS.items():
            self.assertEqual(bmt.root(tree_leaves(n)).hex(), root)
        self.assertEqual(bmt.prove(tree_leaves(3), 2).encode().hex(), self.RUST_PROOF_3_2)

    def test_the_rules_spelled_out(self):
        a, b, c = tree_leaves(3)
        h = sha256
        la, lb, lc = (h(i.to_bytes(4, "big") + x) for i, x in enumerate((a, b, c)))
        top = h(h(la + lb) + h(lc + lc))
        self.assertEqual(bmt.root([a, b, c]), h(bytes([0, 0, 0, 3]) + top))
        self.assertEqual(bmt.root([]), h(bytes(4) + h(b"")))
        self.assertEqual(bmt.root([a]), h(bytes([0, 0, 0, 1]) + la))

    def test_every_proof_verifies_and_only_there(self):
        for n in range(1, 40):
            leaves = tree_leaves(n)
            root = bmt.root(leaves)
            for position in range(n):
                path = bmt.decode_path(bmt.prove(leaves, position).encode(), 1)
                self.assertTrue(bmt.verify_inclusion(path, leaves[position], position, root))
                other = (position + 1) % n
                if other != position:
                    self.assertFalse(bmt.verify_inclusion(path, leaves[other], position, root))
                    self.assertFalse(bmt.verify_inclusion(path, leaves[position], other, root))
                self.assertFalse(bmt.verify_inclusion(path, leaves[position], n, root))

    def test_tampered_paths_fail(self):
        leaves = tree_leaves(11)
        root = bmt.root(leaves)
        path = bmt.prove(leaves, 6)
        for count in (10, 12, 2**32 - 1):   # the root commits to the count
            self.assertFalse(bmt.verify_inclusion(bmt.Path(count, path.siblings), leaves[6], 6, root))
        self.assertFalse(bmt.verify_inclusion(bmt.Path(11, path.siblings[:-1]), leaves[6], 6, root))
        self.assertFalse(bmt.verify_inclusion(bmt.Path(11, path.siblings + (root,)), leaves[6], 6, root))
        raw = path.encode()
        for bit in range(8 * len(raw)):
            flipped = bytearray(raw)
            flipped[bit // 8] ^= 1 << (bit % 8)
            try:
                tampered = bmt.decode_path(bytes(flipped), 1)
            except Malformed:
                continue
            self.assertFalse(bmt.verify_inclusion(tampered, leaves[6], 6, root))

    def test_decoding_bounds(self):
        leaves = tree_leaves(5)
        raw = bmt.prove(leaves, 0).encode()
        with self.assertRaises(Malformed):
            bmt.decode_path(raw + b"\0", 1)
        with self.assertRaises(Malformed):
            bmt.decode_path(raw[:-1], 1)
        with self.assertRaises(Malformed):
            bmt.decode_path(raw[:4] + bytes([0x83, 0x00]) + raw[5:], 1)
        most = bmt.Path(5, (leaves[0],) * 32).encode()
        self.assertEqual(len(bmt.decode_path(most, 1).siblings), 32)
        with self.assertRaises(Malformed):
            bmt.decode_path(bmt.Path(5, (leaves[0],) * 33).encode(), 1)
        self.assertEqual(len(bmt.decode_path(bmt.Path(5, (leaves[0],) * 33).encode(), 2).siblings), 33)
        self.assertEqual(bmt.decode_path(bmt.Path(5, ()).encode(), 0).siblings, ())
        with self.assertRaises(Malformed):
            bmt.decode_path(bmt.Path(5, (leaves[0],)).encode(), 0)

    def test_real_transaction_paths(self):
        for proof in (BEFORE, AFTER):
            header = block.decode_header(bytes.fromhex(proof["header"]))
            tx = block.decode_transaction(bytes.fromhex(proof["transaction"]))
            path = bmt.decode_path(bytes.fromhex(proof["path"]), 1)
            self.assertTrue(bmt.verify_inclusion(path, tx.hash, proof["position"], header.tx_root))
            self.assertFalse(bmt.verify_inclusion(path, sha256(tx.hash), proof["position"],
                                                  header.tx_root))

    def test_real_batch_paths(self):
        digests = {}
        for name, proof in NOTARY.items():
            with open(os.path.join(VECTORS, name), "rb") as f:
                digest = sha256(f.read())
            self.assertEqual(digest.hex(), proof["file_sha256"])
            tx = block.decode_transaction(bytes.fromhex(proof["anchor"]["transaction"]))
            root, count = tx.anchor
            path = bmt.decode_path(bytes.fromhex(proof["batch_path"]), 1)
            self.assertEqual(path.leaf_count, count)
            self.assertTrue(bmt.verify_inclusion(path, digest, proof["batch_position"], root))
            digests[proof["batch_position"]] = (digest, root)
        # The three files are the whole batch: its root, rebuilt here.
        roots = {root for _, root in digests.values()}
        self.assertEqual(len(roots), 1)
        self.assertEqual(bmt.root([digests[i][0] for i in sorted(digests)]), roots.pop())


if __name__ == "__main__":
    unittest.main()
