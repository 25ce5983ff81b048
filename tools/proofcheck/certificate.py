"""Finalization certificates of commonware-consensus simplex, ed25519 scheme.

The chain decodes a certificate as `Finalization<ed25519::Scheme, Sha256
Digest>` with the unbounded codec config, requires the bytes to re-encode
identically, and verifies it with `Scheme::verifier(b"EIRAKU_CONSENSUS",
participants)` (crates/eiraku-core/src/proof.rs, LightClient::verify_finality).
/tmp/spec/consensus.md (for docs/audit.md) states every rule below with the
source file it comes from.
"""

from dataclasses import dataclass

from block import ed25519_verifies, namespaced
from codec import Malformed, Reader, varint

CONSENSUS_NAMESPACE = b"EIRAKU_CONSENSUS"
FINALIZE_SUFFIX = b"_FINALIZE"
DIGEST_SIZE = 32
SIGNATURE_SIZE = 64
U32_MAX = 2**32 - 1
# Scheme::certificate_codec_config_unbounded(): u32::MAX participants at most.
UNBOUNDED = U32_MAX


@dataclass(frozen=True)
class Finalization:
    epoch: int            # Round.epoch
    view: int             # Round.view
    parent: int           # the parent proposal's view
    payload: bytes        # the finalized block's digest (32 bytes)
    participants: int     # the signer bitmap's length in bits: the set's size it claims
    signers: tuple        # indices (ascending) into the sorted participant keys
    signatures: tuple     # 64 bytes each, one per signer, in the same order

    def proposal(self) -> bytes:
        return encode_proposal(self.epoch, self.view, self.parent, self.payload)

    def encode(self) -> bytes:
        bitmap = bytearray((self.participants + 7) // 8)
        for index in self.signers:
            bitmap[index // 8] |= 1 << (index % 8)
        return (self.proposal() + self.participants.to_bytes(8, "big") + bytes(bitmap)
                + varint(len(self.signatures)) + b"".join(self.signatures))


def encode_proposal(epoch: int, view: int, parent: int, payload: bytes) -> bytes:
    """Proposal encoding: Round (epoch, view), parent view, payload."""
    return varint(epoch) + varint(view) + varint(parent) + payload


def decode_finalization(data: bytes) -> Finalization:
    """Decodes a certificate; Malformed for anything the Rust decoder (with
    the unbounded config) refuses or that would not re-encode to `data`."""
    r = Reader(data)
    epoch = r.varint(64)
    view = r.varint(64)
    parent = r.varint(64)
    payload = r.take(DIGEST_SIZE)
    # Signers: BitMap<1> = bit length as u64 big-endian, then ceil(len/8)
    # bytes; bit i is (byte i/8 >> i%8) & 1; unused high bits of the last
    # byte must be 0.
    bits = r.u64()
    if bits > UNBOUNDED:
        raise Malformed(f"a signer bitmap of {bits} bits, more than u32::MAX")
    bitmap = r.take((bits + 7) // 8)
    if bits % 8 and bitmap[-1] >> (bits % 8):
        raise Malformed("signer bitmap bits set past its length")
    signers = tuple(8 * at + bit for at, byte in enumerate(bitmap) if byte
                    for bit in range(8) if byte >> bit & 1)
    if not signers:
        raise Malformed("a certificate with no signers")
    count = r.length(UNBOUNDED)
    signatures = tuple(r.take(SIGNATURE_SIZE) for _ in range(count))
    if count != len(signers):
        raise Malformed(f"{len(signers)} signers but {count} signatures")
    r.end()  # Rust: leftover bytes make the re-encoding differ
    return Finalization(epoch, view, parent, payload, bits, signers, signatures)


def quorum(n: int) -> int:
    """commonware_utils N3f1::quorum: n - floor((n - 1) / 3), for n >= 1."""
    if n < 1:
        raise ValueError("no quorum of an empty set")
    return n - (n - 1) // 3


def participant_keys(keys) -> list:
    """The ordered set of participant keys: sorted by their 32 bytes. A
    repeated key is refused (ValueError). The state machine admits only keys
    that are curve points, so no check of that is needed here (docs/audit.md)."""
    keys = sorted(bytes(key) for key in keys)
    if any(len(key) != 32 for key in keys):
        raise ValueError("a validator key is not 32 bytes")
    if len(set(keys)) != len(keys):
        raise ValueError("a validator is listed twice")
    return keys


def finalize_namespace(namespace: bytes = CONSENSUS_NAMESPACE) -> bytes:
    return namespace + FINALIZE_SUFFIX


def signed_message(fin: Finalization, namespace: bytes = CONSENSUS_NAMESPACE) -> bytes:
    """The bytes each signer's Ed25519 signature covers: the finalize
    namespace's length as a varint, the namespace, the proposal."""
    return namespaced(finalize_namespace(namespace), fin.proposal())


def verify_finalization(fin: Finalization, validator_keys, *,
                        namespace: bytes = CONSENSUS_NAMESPACE) -> bool:
    """Whether a quorum of the set `validator_keys` (any order) signed `fin`
    (ed25519::certificate Generic::verify_certificate). It does not compare
    the payload or the epoch with a header: the caller does."""
    participants = participant_keys(validator_keys)
    n = len(participants)
    if fin.participants != n or len(fin.signers) != len(fin.signatures):
        return False
    if n == 0 or len(fin.signers) < quorum(n):
        return False
    if any(not 0 <= index < n for index in fin.signers):
        return False
    if len(set(fin.signers)) != len(fin.signers):
        return False
    space = finalize_namespace(namespace)
    return all(ed25519_verifies(participants[index], space, fin.proposal(), signature)
               for index, signature in zip(fin.signers, fin.signatures))
