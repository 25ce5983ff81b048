"""Transactions and headers (block.py) on the vectors, and what is refused."""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import block  # noqa: E402
from codec import Malformed  # noqa: E402

VECTORS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "vectors")


def vector(name: str) -> dict:
    with open(os.path.join(VECTORS, name)) as f:
        return json.load(f)


class Transactions(unittest.TestCase):
    RAW = bytes.fromhex(vector("tx-before-change.proof.json")["transaction"])
    ANCHOR = bytes.fromhex(vector("contract.txt.proof.json")["anchor"]["transaction"])

    def test_the_vectors_decode_and_their_signatures_verify(self):
        for raw in (self.RAW, self.ANCHOR):
            tx = block.decode_transaction(raw)
            self.assertEqual(tx.chain_id, "eiraku-test")
            self.assertTrue(block.signature_verifies(tx, raw))
            self.assertEqual(tx.hash, block.sha256(raw[:-64]))
        self.assertEqual(block.decode_transaction(self.ANCHOR).anchor[1], 3)

    def test_a_changed_body_does_not_verify(self):
        raw = bytearray(self.RAW)
        raw[40] ^= 1
        tx = block.decode_transaction(bytes(raw))
        self.assertFalse(block.signature_verifies(tx, bytes(raw)))

    def test_unknown_call_tags_are_refused(self):
        tag_at = 1 + len("eiraku-test") + 32 + 8
        for tag in (6, 9, 255):
            raw = bytearray(self.RAW)
            raw[tag_at] = tag
            with self.assertRaises(Malformed):
                block.decode_transaction(bytes(raw))

    def test_an_anchor_naming_the_sender_as_signing_key_is_refused(self):
        tx = block.decode_transaction(self.ANCHOR)
        body = self.ANCHOR[:-65] + b"\x01" + tx.sender
        with self.assertRaises(Malformed):
            block.decode_transaction(body + self.ANCHOR[-64:])

    def test_truncated_and_extended_transactions_are_refused(self):
        for raw in (self.ANCHOR[:-1], self.ANCHOR + b"\x00", self.RAW[:70]):
            with self.assertRaises(Malformed):
                block.decode_transaction(raw)


class Headers(unittest.TestCase):
    def test_a_header_decodes_and_refuses_extra_bytes(self):
        raw = bytes.fromhex(vector("tx-before-change.proof.json")["header"])
        header = block.decode_header(raw)
        self.assertEqual(header.height, 3)
        self.assertEqual(header.digest, block.sha256(raw))
        with self.assertRaises(Malformed):
            block.decode_header(raw + b"\x00")


if __name__ == "__main__":
    unittest.main()
