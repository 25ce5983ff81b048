"""Tests of qmdb.py (state proofs) against real proofs.

Run from the repository root:
    python3 -m unittest discover -s tools/proofcheck

- docs/vectors/*.proof.json: proofs served by a real network (presence of
  `validators/active` in the state proof and in every handoff, presence of an
  account, absence of an account).
- testdata/qmdb_generated.jsonl: proofs from a real commonware database with
  the node's types and configuration (testdata/qmdb_generated.rs), chosen for
  the shapes the network's proofs do not reach: an empty database (the
  commit form of an absence proof, with and without metadata), a one-key
  database (a span that wraps onto itself), operations under a grafted
  chunk, a chunk-aligned log (no partial chunk), 1 to 4 inactive peaks.
"""

import hashlib
import json
import unittest
from pathlib import Path

import qmdb
from codec import varint

HERE = Path(__file__).resolve().parent
VECTORS = HERE.parents[1] / "docs" / "vectors"
GENERATED = HERE / "testdata" / "qmdb_generated.jsonl"


def state_key(natural: bytes) -> bytes:
    return hashlib.sha256(b"EIRAKU_STATE_KEY" + natural).digest()


ACTIVE_SET = state_key(bytes([0x07, 0x02]))


def account_key(text: str) -> bytes:
    assert text.startswith("account/")
    return state_key(bytes([0x01, 0x00]) + bytes.fromhex(text[len("account/"):]))


def state_root(header_hex: str) -> bytes:
    return bytes.fromhex(header_hex)[-32:]


def real_vectors():
    """(kind, proof, key, value, root, name) of every state proof in
    docs/vectors, each distinct proof once."""
    out, seen = [], {}

    def add(kind, proof_hex, key, value, root, name):
        entry = (kind, proof_hex, key, value, root)
        if entry in seen:
            seen[entry].append(name)
        else:
            seen[entry] = [name]
            out.append((kind, bytes.fromhex(proof_hex), key, value, root, seen[entry]))

    for path in sorted(VECTORS.glob("*.proof.json")):
        doc = json.loads(path.read_text())
        for i, handoff in enumerate(doc.get("handoffs", [])):
            add("present", handoff["proof"], ACTIVE_SET, bytes.fromhex(handoff["set"]),
                state_root(handoff["header"]), f"{path.name} handoff {i}")
        if "key" not in doc or "proof" not in doc:
            continue
        key = ACTIVE_SET if doc["key"] == "validators/active" else account_key(doc["key"])
        if doc["value"] is None:
            add("absent", doc["proof"], key, None, state_root(doc["header"]), path.name)
        else:
            add("present", doc["proof"], key, bytes.fromhex(doc["value"]),
                state_root(doc["header"]), path.name)
    return [v[:5] + (", ".join(v[5]),) for v in out]


def generated_vectors():
    out = []
    for line in GENERATED.read_text().splitlines():
        d = json.loads(line)
        value = None if d["value"] is None else bytes.fromhex(d["value"])
        out.append((d["kind"], bytes.fromhex(d["proof"]), bytes.fromhex(d["key"]), value,
                    bytes.fromhex(d["root"]), f"generated {d['label']} {d['kind']} loc {d['loc']}"))
    return out


def holds(kind, proof, key, value, root) -> bool:
    if kind == "present":
        return qmdb.verify_present(proof, key, value, root)
    return qmdb.verify_absent(proof, key, root)


def other_digest(d: bytes) -> bytes:
    return bytes([d[0] ^ 1]) + d[1:]


def shifted(d: bytes, by: int) -> bytes:
    return ((int.from_bytes(d, "big") + by) % (1 << 256)).to_bytes(32, "big")


class Fixtures(unittest.TestCase):
    def test_the_expected_real_proofs_are_there(self):
        names = {n for v in real_vectors() for n in v[5].split(", ")}
        for name in ["state-after-change.proof.json", "account-after-change.proof.json",
                     "absent-after-change.proof.json",
                     "state-after-change.proof.json handoff 0",
                     "tx-after-change.proof.json handoff 0"]:
            self.assertIn(name, names)
        kinds = [v[0] for v in real_vectors()]
        self.assertIn("absent", kinds)


class RealProofs(unittest.TestCase):
    def each(self, vectors, check):
        """Runs check(kind, proof, key, value, root) on each vector, as a subtest."""
        for kind, proof, key, value, root, name in vectors:
            with self.subTest(name):
                check(kind, proof, key, value, root)

    def test_every_proof_holds(self):
        def check(kind, proof, key, value, root):
            self.assertTrue(holds(kind, proof, key, value, root))
        self.each(real_vectors() + generated_vectors(), check)

    def test_any_flipped_bit_fails(self):
        def check(kind, proof, key, value, root):
            for i in range(len(proof)):
                for bit in range(8):
                    bad = bytearray(proof)
                    bad[i] ^= 1 << bit
                    self.assertFalse(holds(kind, bytes(bad), key, value, root),
                                     f"byte {i} bit {bit}")
        self.each(real_vectors(), check)

    def test_flipped_bits_fail_in_generated_proofs(self):
        # One bit per byte (rotating), to keep the run short.
        def check(kind, proof, key, value, root):
            for i in range(len(proof)):
                bad = bytearray(proof)
                bad[i] ^= 1 << (i % 8)
                self.assertFalse(holds(kind, bytes(bad), key, value, root), f"byte {i}")
        self.each(generated_vectors(), check)

    def test_truncated_or_extended_bytes_fail(self):
        def check(kind, proof, key, value, root):
            for n in range(len(proof)):
                self.assertFalse(holds(kind, proof[:n], key, value, root), f"first {n} bytes")
            for extra in [b"\x00", b"\x01", b"\xff", bytes(32)]:
                self.assertFalse(holds(kind, proof + extra, key, value, root))
                self.assertFalse(holds(kind, extra + proof, key, value, root))
        self.each(real_vectors() + generated_vectors(), check)

    def test_another_root_fails(self):
        def check(kind, proof, key, value, root):
            for bad in [other_digest(root), bytes(32), root[::-1], root[:31]]:
                self.assertFalse(holds(kind, proof, key, value, bad))
        self.each(real_vectors() + generated_vectors(), check)

    def test_another_key_fails_for_presence(self):
        def check(kind, proof, key, value, root):
            if kind == "present":
                for bad in [other_digest(key), shifted(key, 1), shifted(key, -1), bytes(32)]:
                    self.assertFalse(qmdb.verify_present(proof, bad, value, root))
        self.each(real_vectors() + generated_vectors(), check)

    def test_another_value_fails(self):
        def check(kind, proof, key, value, root):
            if kind == "present":
                bads = [value + b"\x00", b"\x00" + value, b"x" * 3]
                if value:
                    bads += [value[:-1], bytes([value[0] ^ 1]) + value[1:], b""]
                for bad in bads:
                    self.assertFalse(qmdb.verify_present(proof, key, bad, root))
        self.each(real_vectors() + generated_vectors(), check)

    def test_kinds_do_not_mix(self):
        def check(kind, proof, key, value, root):
            if kind == "present":
                self.assertFalse(qmdb.verify_absent(proof, key, root))
                # The proof's bytes behind either exclusion tag do not hold either.
                self.assertFalse(qmdb.verify_absent(b"\x00" + proof, key, root))
                self.assertFalse(qmdb.verify_absent(b"\x01" + proof, key, root))
            else:
                for v in [b"", b"\x00"]:
                    self.assertFalse(qmdb.verify_present(proof, key, v, root))
                    self.assertFalse(qmdb.verify_present(proof[1:], key, v, root))
        self.each(real_vectors() + generated_vectors(), check)

    def test_absence_covers_exactly_the_open_span(self):
        # A span proof shows every key strictly after its active key and
        # before the next one (cyclically) absent, and no other key.
        def check(kind, proof, key, value, root):
            if kind != "absent" or proof[0] != qmdb.KEY_VALUE_TAG:
                return
            _, _, (start, _, end) = qmdb.decode_absence(proof)
            self.assertTrue(qmdb.in_span(start, end, key))
            self.assertFalse(qmdb.verify_absent(proof, start, root))
            self.assertFalse(qmdb.verify_absent(proof, end, root))
            self.assertTrue(qmdb.verify_absent(proof, shifted(start, 1), root))
            if start != end:
                self.assertTrue(qmdb.verify_absent(proof, shifted(end, -1), root))
                self.assertFalse(qmdb.verify_absent(proof, shifted(start, -1), root))
                self.assertFalse(qmdb.verify_absent(proof, shifted(end, 1), root))
        self.each(real_vectors() + generated_vectors(), check)

    def test_an_empty_database_proves_every_key_absent(self):
        def check(kind, proof, key, value, root):
            if kind == "absent" and proof[0] == qmdb.COMMIT_TAG:
                for other in [bytes(32), b"\xff" * 32, other_digest(key)]:
                    self.assertTrue(qmdb.verify_absent(proof, other, root))
        self.each(generated_vectors(), check)

    def test_the_commit_floor_is_the_commit_location(self):
        # The commit's floor is not on the wire: it is the proof's location.
        # Re-encoding the proof at another location changes the leaf.
        def check(kind, proof, key, value, root):
            if kind == "absent" and proof[0] == qmdb.COMMIT_TAG:
                _, op, meta = qmdb.decode_absence(proof)
                element = qmdb.encode_commit(meta, op.loc)
                self.assertEqual(qmdb.implied_root(op, element), root)
                moved = qmdb.encode_commit(meta, op.loc + 1)
                self.assertNotEqual(qmdb.implied_root(op, moved), root)
        self.each(generated_vectors(), check)


class Refusals(unittest.TestCase):
    KEY = hashlib.sha256(b"key").digest()
    ROOT = hashlib.sha256(b"root").digest()

    def test_garbage_and_empty_bytes_are_refused(self):
        # The inputs of kv_proof.rs garbage_and_empty_bytes_are_refused.
        inputs = [b"", b"\x00", b"\x01", b"\xff" * 7, b"\xff" * 4096, bytes(4096),
                  bytes(i % 256 for i in range(1000))]
        for data in inputs:
            self.assertFalse(qmdb.verify_present(data, self.KEY, b"value", self.ROOT))
            self.assertFalse(qmdb.verify_absent(data, self.KEY, self.ROOT))

    def test_oversized_values_are_refused(self):
        value = bytes(qmdb.MAX_VALUE_BYTES + 1)
        self.assertFalse(qmdb.verify_present(b"", self.KEY, value, self.ROOT))
        proof, key, _, root = self.one_leaf_presence(value[:-1])
        self.assertTrue(qmdb.verify_present(proof, key, value[:-1], root))
        self.assertFalse(qmdb.verify_present(proof, key, value, root))

    def test_keys_and_roots_of_another_width_are_refused(self):
        for kind, proof, key, value, root, _ in real_vectors()[:1]:
            self.assertFalse(qmdb.verify_present(proof, key[:31], value, root))
            self.assertFalse(qmdb.verify_present(proof, key + b"\x00", value, root))
            self.assertFalse(qmdb.verify_present(proof, key, value, root + b"\x00"))
            self.assertFalse(qmdb.verify_present(proof, None, value, root))

    @staticmethod
    def one_leaf_presence(value: bytes):
        """A hand-made proof of a one-operation log, with its root computed
        from the formulas of the specification (not by qmdb.py)."""
        key = next_key = hashlib.sha256(b"k").digest()
        chunk = b"\x01" + bytes(31)                       # operation 0 active
        ops_root = hashlib.sha256(b"ops").digest()
        element = b"\xd2" + key + varint(len(value)) + value + next_key
        leaf = hashlib.sha256((0).to_bytes(8, "big") + element).digest()
        grafted = hashlib.sha256(bytes([0, 1]) + (1).to_bytes(8, "big") + leaf).digest()
        partial = hashlib.sha256(chunk).digest()
        root = hashlib.sha256(ops_root + grafted + (1).to_bytes(8, "big") + partial).digest()
        proof = (varint(0) + chunk + varint(1) + varint(0) + varint(0)
                 + b"\x01" + partial + ops_root + next_key)
        return proof, key, value, root

    def test_hand_made_proof_matches_the_formulas(self):
        proof, key, value, root = self.one_leaf_presence(b"hello")
        self.assertTrue(qmdb.verify_present(proof, key, value, root))
        # The same proof with a non-canonical location varint is refused.
        self.assertFalse(qmdb.verify_present(b"\x80\x00" + proof[1:], key, value, root))
        # An inactive operation (its bit clear) is refused.
        self.assertFalse(qmdb.verify_present(proof[:1] + bytes(32) + proof[33:], key, value, root))
        # More digests than the bound do not decode.
        too_many = (varint(0) + b"\x01" + bytes(31) + varint(1) + varint(0) + varint(129)
                    + bytes(32 * 129) + b"\x00" + bytes(32) + key)
        self.assertRaises(qmdb.Malformed, qmdb.decode_presence, too_many)


class Geometry(unittest.TestCase):
    def test_leaf_positions(self):
        # merkle/mmr/mod.rs test_from_location.
        expected = [0, 1, 3, 4, 7, 8, 10, 11, 15, 16, 18, 19, 22, 23, 25, 26]
        self.assertEqual([qmdb.leaf_position(i) for i in range(16)], expected)

    def test_peaks_of_eleven_leaves(self):
        # merkle/mmr/mod.rs module docs: 11 leaves, peaks at 14, 17, 18.
        self.assertEqual(qmdb.peaks(11), [(14, 3, 0), (17, 1, 8), (18, 0, 10)])


if __name__ == "__main__":
    unittest.main()
