"""State proofs: a key has a value, or no value, under a block's state root.

The node's state is a QMDB `current::ordered::variable` database of
commonware-storage 2026.10.0 (MMR family, SHA-256, 32-byte bitmap chunks).
This module re-implements, from that crate's source, the two checks of
crates/eiraku-core/src/kv_proof.rs: `verify_present` and `verify_absent`.
Both return False, never raise, for bytes that do not decode exactly or do
not verify. docs/audit.md, "State proofs", is the byte-level description;
the commonware file each rule comes from is named beside it.
"""

import hashlib
from typing import NamedTuple

from codec import Malformed, Reader, varint

DIGEST_BYTES = 32
CHUNK_BYTES = 32                       # kv_proof.rs CHUNK_BYTES
CHUNK_BITS = 8 * CHUNK_BYTES           # 256 operations per bitmap chunk
GRAFTING_HEIGHT = 8                    # log2(CHUNK_BITS): grafting.rs height()
MAX_VALUE_BYTES = 64 * 1024            # kv_proof.rs MAX_VALUE_BYTES
MAX_PROOF_DIGESTS = 128                # kv_proof.rs MAX_PROOF_DIGESTS
MAX_LEAVES = 1 << 62                   # merkle/mmr/mod.rs Family::MAX_LEAVES

# Root domain: (MMR family tag, backward-fold bagging tag). merkle/mod.rs
# Bagging::domain, merkle/mmr/mod.rs DOMAIN, qmdb/mod.rs ROOT_BAGGING.
ROOT_DOMAIN = bytes([0, 1])

# Operation tags: qmdb/any/operation/mod.rs.
UPDATE_CONTEXT = 0xD2
COMMIT_CONTEXT = 0xD3

# ExclusionProof variant tags: qmdb/current/ordered/mod.rs.
KEY_VALUE_TAG = 0
COMMIT_TAG = 1


def sha256(*parts: bytes) -> bytes:
    h = hashlib.sha256()
    for part in parts:
        h.update(part)
    return h.digest()


def be64(n: int) -> bytes:
    return n.to_bytes(8, "big")


# --- Decoding -------------------------------------------------------------

class RangeProof(NamedTuple):
    """qmdb/current/proof/mod.rs RangeProof<mmr::Family, Digest>."""
    leaves: int            # operations in the log (merkle/proof.rs Proof.leaves)
    inactive_peaks: int    # peaks committed as inactive (Proof.inactive_peaks)
    digests: list          # Proof.digests
    partial_digest: bytes | None   # SHA-256 of the trailing partial chunk
    ops_root: bytes        # root of the plain operations MMR


class OperationProof(NamedTuple):
    """qmdb/current/proof/operation.rs Proof<mmr::Family, Digest, [u8; 32]>."""
    loc: int
    chunk: bytes
    range_proof: RangeProof


def read_location(r: Reader) -> int:
    # merkle/location.rs: a u64 varint, at most MAX_LEAVES.
    loc = r.varint(64)
    if loc > MAX_LEAVES:
        raise Malformed("a location beyond MAX_LEAVES")
    return loc


def read_digest(r: Reader) -> bytes:
    return r.take(DIGEST_BYTES)


def read_bytes(r: Reader) -> bytes:
    # Vec<u8> under value_cfg(): a length of at most 64 KiB, then the bytes.
    return r.take(r.length(MAX_VALUE_BYTES))


def read_range_proof(r: Reader) -> RangeProof:
    leaves = read_location(r)
    # usize from a u64 varint: any u64 fits a 64-bit usize, so no other bound.
    inactive_peaks = r.varint(64)
    digests = [read_digest(r) for _ in range(r.length(MAX_PROOF_DIGESTS))]
    # The pending-chunk slot of an MMR is `Unused`: zero bytes on the wire.
    partial_digest = r.option(lambda: read_digest(r))
    ops_root = read_digest(r)
    return RangeProof(leaves, inactive_peaks, digests, partial_digest, ops_root)


def read_operation_proof(r: Reader) -> OperationProof:
    loc = read_location(r)
    chunk = r.take(CHUNK_BYTES)        # a [u8; 32]: no length prefix
    return OperationProof(loc, chunk, read_range_proof(r))


def decode_presence(data: bytes):
    """KeyValueProof: (operation proof, next_key)."""
    r = Reader(data)
    proof = read_operation_proof(r)
    next_key = read_digest(r)
    r.end()
    return proof, next_key


def decode_absence(data: bytes):
    """ExclusionProof: a tag byte, then either (operation proof, update) or
    (operation proof, optional commit metadata)."""
    r = Reader(data)
    tag = r.u8()
    if tag not in (KEY_VALUE_TAG, COMMIT_TAG):
        raise Malformed("an exclusion proof tag is 0 or 1")
    proof = read_operation_proof(r)
    if tag == KEY_VALUE_TAG:
        rest = (read_digest(r), read_bytes(r), read_digest(r))   # key, value, next_key
    else:
        rest = r.option(lambda: read_bytes(r))                     # metadata
    r.end()
    return tag, proof, rest


# --- Operations (the leaves' elements) -----------------------------------

def encode_update(key: bytes, value: bytes, next_key: bytes) -> bytes:
    # qmdb/any/operation/variable.rs + update/ordered.rs:
    # 0xD2 || key || varint(len(value)) || value || next_key
    return bytes([UPDATE_CONTEXT]) + key + varint(len(value)) + value + next_key


def encode_commit(metadata: bytes | None, floor: int) -> bytes:
    # qmdb/operation.rs write_commit_variable: 0xD3 || Option<Vec<u8>> || varint(floor)
    if metadata is None:
        meta = b"\x00"
    else:
        meta = b"\x01" + varint(len(metadata)) + metadata
    return bytes([COMMIT_CONTEXT]) + meta + varint(floor)


# --- MMR geometry ----------------------------------------------------------

def leaf_position(loc: int) -> int:
    """Node position of leaf `loc` (also: node count of `loc` leaves)."""
    return 2 * loc - bin(loc).count("1")


def peaks(leaves: int):
    """(position, height, first leaf) of each peak, oldest (tallest) first:
    one perfect tree per set bit of `leaves`, highest bit first."""
    out, start = [], 0
    for height in range(leaves.bit_length() - 1, -1, -1):
        if leaves >> height & 1:
            pos = leaf_position(start) + (1 << (height + 1)) - 2
            out.append((pos, height, start))
            start += 1 << height
    return out


# --- Reconstruction --------------------------------------------------------

class PathHasher:
    """Hashes the path from one leaf up to its peak, as grafting.rs Verifier:
    ordinary positioned hashes, except that the node at the grafting height
    also commits to the operation's bitmap chunk."""

    def __init__(self, chunk: bytes, chunk_index: int, graftable_chunks: int):
        self.chunk = chunk
        self.chunk_index = chunk_index
        self.graftable_chunks = graftable_chunks

    def leaf(self, pos: int, element: bytes) -> bytes:
        return sha256(be64(pos), element)            # merkle/hasher.rs leaf_digest

    def node(self, pos: int, height: int, first_leaf: int, left: bytes, right: bytes) -> bytes:
        plain = sha256(be64(pos), left, right)        # merkle/hasher.rs node_digest
        if height != GRAFTING_HEIGHT:
            return plain
        index = first_leaf >> GRAFTING_HEIGHT
        # A chunk not yet graftable, or not the one supplied, leaves the node plain;
        # an all-zero chunk is the identity (grafting.rs Verifier::node_digest).
        if index >= self.graftable_chunks or index != self.chunk_index:
            return plain
        if not any(self.chunk):
            return plain
        return sha256(self.chunk, plain)


def rebuild_peak(hasher, pos, height, first, loc, element, siblings):
    """The digest of the subtree at `pos`, from the element at `loc` and the
    sibling digests consumed left-first depth-first (merkle/proof.rs
    Subtree::reconstruct_digest). `siblings` is an iterator."""
    if not first <= loc < first + (1 << height):
        return next(siblings)                         # wholly outside: one digest
    if height == 0:
        return hasher.leaf(pos, element)
    half = 1 << (height - 1)
    left = rebuild_peak(hasher, pos - (1 << height), height - 1, first, loc, element, siblings)
    right = rebuild_peak(hasher, pos - 1, height - 1, first + half, loc, element, siblings)
    return hasher.node(pos, height, first, left, right)


def bag(leaves: int, inactive: int, to_fold: int, digests: list) -> bytes | None:
    """merkle/hasher.rs root_with_folded_peaks under backward-fold bagging:
    fold the first `to_fold` entries forward, bag the rest from the newest
    back, and commit the domain, leaf count and (if nonzero) inactive count."""
    if not digests:
        return None                                   # unreachable: one peak holds the leaf
    acc, rest = digests[0], digests[1:]
    for _ in range(max(to_fold - 1, 0)):
        if not rest:
            return None
        acc, rest = sha256(acc, rest[0]), rest[1:]
    if rest:
        back = rest[-1]
        for peak in reversed(rest[:-1]):
            back = sha256(peak, back)
        acc = sha256(acc, back)
    committed = be64(inactive) if inactive else b""
    return sha256(ROOT_DOMAIN, be64(leaves), committed, acc)


def merkle_root(rp: RangeProof, hasher: PathHasher, loc: int, element: bytes) -> bytes | None:
    """merkle/proof.rs Proof::reconstruct_root_inner for the one-element range
    [loc, loc+1), backward-fold layout (Blueprint::from_plan)."""
    all_peaks = peaks(rp.leaves)
    before = [p for p in all_peaks if p[2] + (1 << p[1]) <= loc]
    after = [p for p in all_peaks if p[2] > loc]
    (pos, height, first), = [p for p in all_peaks if p not in before and p not in after]
    inactive = rp.inactive_peaks
    if inactive > len(all_peaks):
        return None
    # Inactive peaks before the range arrive folded into one accumulator; the
    # active ones singly. After the range, inactive peaks come singly and the
    # active ones as one backward-folded accumulator.
    folded = min(inactive, len(before))
    single_before = len(before) - folded
    single_after = min(max(inactive - len(before) - 1, 0), len(after))
    suffix = len(after) > single_after
    layout = [1 if folded else 0, single_before, single_after, 1 if suffix else 0, height]
    if len(rp.digests) != sum(layout):
        return None
    it = iter(rp.digests)
    head = [next(it) for _ in range(layout[0] + single_before)]
    tail = [next(it) for _ in range(single_after + layout[3])]
    peak = rebuild_peak(hasher, pos, height, first, loc, element, it)
    to_fold = inactive - folded + 1 if folded else inactive
    return bag(rp.leaves, inactive, to_fold, head + [peak] + tail)


def canonical_root(proof: OperationProof, element: bytes) -> bytes | None:
    """qmdb/current/proof/mod.rs RangeProof::reconstruct_root for one
    operation and its chunk, then db.rs combine_roots."""
    rp, loc = proof.range_proof, proof.loc
    if loc + 1 > MAX_LEAVES or loc + 1 > rp.leaves:
        return None
    chunk_index = loc // CHUNK_BITS
    complete = rp.leaves // CHUNK_BITS
    next_bit = rp.leaves % CHUNK_BITS
    # In an MMR every complete chunk is graftable: no pending chunk exists.
    if next_bit:
        if rp.partial_digest is None:
            return None
        # An operation in the trailing partial chunk is bound by that chunk's digest.
        if chunk_index == complete and rp.partial_digest != sha256(proof.chunk):
            return None
    elif rp.partial_digest is not None:
        return None
    grafted = merkle_root(rp, PathHasher(proof.chunk, chunk_index, complete), loc, element)
    if grafted is None:
        return None
    tail = be64(next_bit) + rp.partial_digest if next_bit else b""
    return sha256(rp.ops_root, grafted, tail)


def implied_root(proof: OperationProof, element: bytes) -> bytes | None:
    """qmdb/current/proof/operation.rs Proof::verify: the operation's bit must
    be set in its chunk (bit loc % 256, least significant bit of a byte
    first); then the canonical root is rebuilt."""
    bit = proof.loc % CHUNK_BITS
    if not proof.chunk[bit // 8] >> (bit % 8) & 1:
        return None
    return canonical_root(proof, element)


def in_span(start: bytes, end: bytes, key: bytes) -> bool:
    """commonware-utils range.rs contains_cyclic(start..end, key): the
    half-open span [start, end), wrapping past the largest key when start >= end."""
    if start < end:
        return start <= key < end
    return key >= start or key < end


# --- The two checks --------------------------------------------------------

def is_bytes(x) -> bool:
    return isinstance(x, (bytes, bytearray, memoryview))


def is_digest(x) -> bool:
    return is_bytes(x) and len(x) == DIGEST_BYTES


def presence_root(proof: bytes, key: bytes, value: bytes) -> bytes | None:
    """The only root under which `proof` shows `key` = `value`, or None if
    the proof does not decode or cannot show it under any root."""
    if not (is_bytes(proof) and is_digest(key) and is_bytes(value)):
        return None
    if len(value) > MAX_VALUE_BYTES:
        return None                    # never stored, so no honest proof exists
    try:
        op_proof, next_key = decode_presence(proof)
    except Malformed:
        return None
    return implied_root(op_proof, encode_update(bytes(key), bytes(value), next_key))


def absence_root(proof: bytes, key: bytes) -> bytes | None:
    """The only root under which `proof` shows `key` has no value, or None."""
    if not (is_bytes(proof) and is_digest(key)):
        return None
    key = bytes(key)
    try:
        tag, op_proof, rest = decode_absence(proof)
    except Malformed:
        return None
    if tag == KEY_VALUE_TAG:
        # An active key whose successor is the next active key: any key
        # strictly between them (cyclically) has no value.
        span_key, value, next_key = rest
        if span_key == key or not in_span(span_key, next_key, key):
            return None
        element = encode_update(span_key, value, next_key)
    else:
        # An empty database: its last commit is active, which happens only
        # when the commit's floor is its own location.
        element = encode_commit(rest, op_proof.loc)
    return implied_root(op_proof, element)


def verify_present(proof: bytes, key: bytes, value: bytes, root: bytes) -> bool:
    """Whether `proof` shows that `key` has exactly `value` under `root`."""
    return is_digest(root) and presence_root(proof, key, value) == bytes(root)


def verify_absent(proof: bytes, key: bytes, root: bytes) -> bool:
    """Whether `proof` shows that `key` has no value under `root`."""
    return is_digest(root) and absence_root(proof, key) == bytes(root)
