"""Block headers, transactions and validator sets, decoded as docs/audit.md
("Byte layouts") specifies them."""

import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from codec import Malformed, Reader, varint

TRANSACTION_NAMESPACE = b"EIRAKU_TX_V1"
MAX_TRANSACTION_BYTES = 4096
MAX_CHAIN_ID_LEN = 32
MAX_VALIDATORS = 128
TRANSFER_TAG = 0
REGISTRY_TAG = 2
LAST_CALL_TAG = 5  # cash
ANCHOR_KIND = 0
MAX_BATCH = 1 << 20


def sha256(*parts: bytes) -> bytes:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return digest.digest()


def namespaced(namespace: bytes, message: bytes) -> bytes:
    """What an Ed25519 key signs under a namespace: the namespace's length
    (varint), the namespace, the message."""
    return varint(len(namespace)) + namespace + message


def ed25519_verifies(key: bytes, namespace: bytes, message: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(signature, namespaced(namespace, message))
        return True
    except (InvalidSignature, ValueError):
        return False


@dataclass
class Header:
    epoch: int            # the consensus round: epoch and view
    view: int
    leader: bytes
    parent_view: int      # the consensus parent: view and block digest
    parent_payload: bytes
    parent: bytes         # the parent block's digest
    height: int
    timestamp_ms: int
    tx_root: bytes
    state_root: bytes
    digest: bytes         # SHA-256 of the whole encoding


def decode_header(data: bytes) -> Header:
    r = Reader(data)
    header = Header(r.varint(), r.varint(), r.take(32), r.varint(), r.take(32), r.take(32),
                    r.u64(), r.u64(), r.take(32), r.take(32), sha256(data))
    r.end()
    return header


@dataclass
class Transaction:
    chain_id: str
    sender: bytes
    nonce: int
    signing_keys: list   # the key the signature is checked against (candidates)
    signature: bytes
    hash: bytes
    anchor: tuple | None  # (root, leaves) when the call anchors a batch


def decode_transaction(data: bytes) -> Transaction:
    """The envelope of a signed transaction. The call between nonce and
    signing key is decoded only when it is a transfer or an anchor; other
    calls are delimited from the end (docs/audit.md says why that is sound)."""
    if len(data) > MAX_TRANSACTION_BYTES:
        raise Malformed("transaction too large")
    r = Reader(data)
    chain_id = read_chain_id(r)
    sender, nonce = r.take(32), r.u64()
    call_start = r.at
    anchor = read_known_call(r)
    if anchor is False:
        signing_keys = split_signing_key(data, call_start, sender)
    else:
        named = r.option(lambda: r.take(32))
        r.take(64)
        r.end()
        if named == sender:
            raise Malformed("the signing key is the sender's own")
        signing_keys = [named or sender]
    return Transaction(chain_id, sender, nonce, signing_keys, data[-64:],
                       sha256(data[:-64]), None if anchor is False else anchor)


def read_chain_id(r: Reader) -> str:
    raw = r.take(r.length(MAX_CHAIN_ID_LEN))
    if not raw or any(not (chr(b).islower() or chr(b).isdigit() or b == 0x2D) or b > 0x7F
                      for b in raw):
        raise Malformed("chain id")
    return raw.decode()


def read_known_call(r: Reader):
    """(root, leaves) for an anchor, None for a transfer, False for a call
    this verifier does not decode."""
    if r.at + 2 > len(r.data):
        raise Malformed("transaction ends early")
    tag = r.data[r.at]
    if tag > LAST_CALL_TAG:
        raise Malformed(f"no call has tag {tag}")
    if tag == TRANSFER_TAG:
        r.u8()
        r.take(32)          # to
        r.fixed(16)         # amount (u128)
        return None
    if tag == REGISTRY_TAG and r.data[r.at + 1] == ANCHOR_KIND:
        r.take(2)
        root, leaves = r.take(32), r.u32()
        if not 1 <= leaves <= MAX_BATCH:
            raise Malformed("an anchor covers 1 to 2^20 digests")
        return (root, leaves)
    return False


def split_signing_key(data: bytes, call_start: int, sender: bytes) -> list[bytes]:
    """For a call not decoded here: the signing-key option sits just before
    the 64-byte signature, as one byte 0 (the sender signs), or byte 1 and
    32 bytes (that key signs). Bytes can read both ways; each reading is a
    candidate, and the signature must verify under one."""
    body_end = len(data) - 64
    candidates = []
    if body_end - 1 > call_start and data[body_end - 1] == 0:
        candidates.append(sender)
    if body_end - 33 > call_start and data[body_end - 33] == 1:
        key = data[body_end - 32:body_end]
        if key != sender:
            candidates.append(key)
    if not candidates:
        raise Malformed("no signing-key option before the signature")
    return candidates


def signature_verifies(tx: Transaction, raw: bytes) -> bool:
    return any(ed25519_verifies(key, TRANSACTION_NAMESPACE, raw[:-64], tx.signature)
               for key in tx.signing_keys)


def decode_validator_set(data: bytes) -> list[bytes]:
    """The consensus keys of an encoded validator set (sorted, unique)."""
    r = Reader(data)
    count = r.length(MAX_VALIDATORS)
    if count == 0:
        raise Malformed("an empty validator set")
    keys = []
    for _ in range(count):
        keys.append(r.take(32))
        read_socket_address(r)
    r.end()
    if any(a >= b for a, b in zip(keys, keys[1:])):
        raise Malformed("validator keys are not strictly ascending")
    return keys


def read_socket_address(r: Reader):
    kind = r.u8()
    if kind == 4:
        r.take(4 + 2)
    elif kind == 6:
        r.take(16 + 2)
    else:
        raise Malformed("an address is IPv4 (4) or IPv6 (6)")
