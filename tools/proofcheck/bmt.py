"""Binary Merkle tree proofs of commonware-storage `bmt` (2026.10.0,
src/bmt/mod.rs), with SHA-256: a block's transaction root and a notarized
batch's root (crates/eiraku-core/src/merkle.rs). /tmp/spec/consensus.md (for
docs/audit.md) states the rules."""

import hashlib
from dataclasses import dataclass

from codec import Reader, varint

DIGEST_SIZE = 32
MAX_LEVELS = 32          # bmt::MAX_LEVELS = u32::BITS
U32_MAX = 2**32 - 1


def _h(*parts: bytes) -> bytes:
    return hashlib.sha256(b"".join(parts)).digest()


@dataclass(frozen=True)
class Path:
    leaf_count: int       # the tree's leaf count, which the root commits to
    siblings: tuple       # sibling digests, from the leaf's level upwards

    def encode(self) -> bytes:
        return (self.leaf_count.to_bytes(4, "big") + varint(len(self.siblings))
                + b"".join(self.siblings))


def decode_path(data: bytes, max_leaves: int) -> Path:
    """Proof::<Digest>::read_cfg(max_leaves) and the re-encode check:
    leaf count u32 big-endian, sibling count (u32 varint) of at most
    max_leaves * 32, the 32-byte siblings, nothing after."""
    r = Reader(data)
    leaf_count = r.u32()
    count = r.length(max_leaves * MAX_LEVELS)
    siblings = tuple(r.take(DIGEST_SIZE) for _ in range(count))
    r.end()
    return Path(leaf_count, siblings)


def leaf_digest(position: int, leaf: bytes) -> bytes:
    """A leaf's node: SHA-256(position as u32 big-endian || leaf)."""
    return _h(position.to_bytes(4, "big"), leaf)


def finalize(leaf_count: int, tree_root: bytes) -> bytes:
    """The root: SHA-256(leaf count as u32 big-endian || the top node)."""
    return _h(leaf_count.to_bytes(4, "big"), tree_root)


def verify_inclusion(path: Path, leaf: bytes, position: int, root: bytes) -> bool:
    """Proof::verify_element_inclusion::<Sha256>(leaf, position, root).is_ok()."""
    if len(leaf) != DIGEST_SIZE or len(root) != DIGEST_SIZE:
        raise ValueError("a leaf and a root are 32 bytes")
    if not 0 <= position < path.leaf_count:
        return False
    node = leaf_digest(position, leaf)
    siblings = iter(path.siblings)
    level_size = path.leaf_count
    while level_size > 1:
        if position % 2 == 0 and position + 1 >= level_size:
            node = _h(node, node)            # last of an odd level: paired with itself
        else:
            sibling = next(siblings, None)
            if sibling is None:
                return False
            node = _h(node, sibling) if position % 2 == 0 else _h(sibling, node)
        position //= 2
        level_size = (level_size + 1) // 2
    if next(siblings, None) is not None:
        return False
    return finalize(path.leaf_count, node) == root


def _levels(leaves: list) -> list:
    if len(leaves) > U32_MAX:
        raise ValueError("at most u32::MAX leaves")
    level = [leaf_digest(i, leaf) for i, leaf in enumerate(leaves)] or [_h()]
    levels = [level]
    while len(level) > 1:
        level = [_h(level[i], level[i + 1] if i + 1 < len(level) else level[i])
                 for i in range(0, len(level), 2)]
        levels.append(level)
    return levels


def root(leaves: list) -> bytes:
    """The root of the tree over `leaves` (32-byte digests) in order
    (Builder::add each, Builder::build, Tree::root); also for no leaves."""
    return finalize(len(leaves), _levels(leaves)[-1][0])


def prove(leaves: list, position: int) -> Path:
    """Tree::proof(position): the siblings of the leaf's path, bottom up."""
    if not 0 <= position < len(leaves):
        raise ValueError("no such leaf")
    siblings = []
    index = position
    for level in _levels(leaves)[:-1]:
        if index ^ 1 < len(level):
            siblings.append(level[index ^ 1])
        index //= 2
    return Path(len(leaves), tuple(siblings))
