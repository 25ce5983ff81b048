"""State keys: the text a state proof names (`account/<hex>`,
`validators/active`, ...) to the bytes whose SHA-256 the state store holds.
docs/audit.md, "State keys"."""

import re

from block import sha256
from codec import Malformed


def hashed(text: str) -> bytes:
    """What the authenticated store holds for the key `text`."""
    return sha256(b"EIRAKU_STATE_KEY", key_bytes(text))


def key_bytes(text: str) -> bytes:
    parts = text.split("/")
    module, rest = parts[0], parts[1:]
    forms = MODULES.get(module)
    if forms is None:
        raise Malformed(f"no state key starts with {module!r}")
    tag, kinds = forms
    if module in ("account", "role"):
        return bytes([tag, 0]) + single(rest, account)
    for name, kind, readers in kinds:
        if rest and rest[0] == name and len(rest) == 1 + len(readers):
            natural = b"".join(read(part) for read, part in zip(readers, rest[1:]))
            return bytes([tag, kind]) + natural
    raise Malformed(f"{text!r} is not a state key")


def single(parts, read):
    if len(parts) != 1:
        raise Malformed("a key of one part expected")
    return read(parts[0])


def account(text: str) -> bytes:
    """An account id: 64 hex digits (either case), any leading `0x`s dropped."""
    while text.startswith("0x"):
        text = text[2:]
    if not re.fullmatch(r"[0-9a-fA-F]{64}", text):
        raise Malformed("an account id is 64 hex digits")
    return bytes.fromhex(text)


digest = account


def number(width: int):
    def read(text: str) -> bytes:
        if not re.fullmatch(r"\+?[0-9]+", text) or int(text) >= 1 << (8 * width):
            raise Malformed("a number")
        return int(text).to_bytes(width, "big")
    return read


def economy(text: str) -> bytes:
    if not re.fullmatch(r"[A-Z]{2}", text):
        raise Malformed("an economy is two upper-case letters")
    return text.encode()


u64, u32 = number(8), number(4)

# module: (tag, [(form, kind byte, readers of the natural key's parts)])
MODULES = {
    "account": (0x01, []),
    "role": (0x02, []),
    "money": (0x03, [
        ("config", 0, []), ("economy", 1, [economy]), ("travel-key", 2, [account]),
        ("freeze", 3, [account]), ("contribution", 4, [u64]),
        ("claim", 5, [economy, economy]), ("settlement", 6, [u64]),
        ("seigniorage", 7, [u64]), ("suspension", 8, [account]),
        ("cash-center", 9, [economy]), ("device-key", 10, [economy]), ("wallet", 11, [u64]),
        ("spent", 12, [economy, u64]), ("blacklisted", 13, [u64]),
        ("load", 14, [account, u64]), ("issued", 15, [economy, u64]),
        ("offline-held", 16, [account]), ("purse", 17, [digest]),
    ]),
    "registry": (0x04, [
        ("anchor", 0, [digest]), ("attestation", 1, [digest]), ("consent", 2, [digest]),
        ("access", 3, [digest, u64]), ("work", 4, [digest]), ("licence", 5, [digest, account]),
        ("registry", 6, [digest]), ("record", 7, [digest, u64]),
    ]),
    "governance": (0x05, [
        ("rules", 0, []), ("proposal", 1, [u64]), ("comment", 2, [u64, u32]),
        ("consultation", 3, [u64]), ("declaration", 4, [u64]),
    ]),
    "keys": (0x06, [("key", 0, [account]), ("replacement", 1, [account]), ("delay", 2, [])]),
    "validators": (0x07, [("set", 0, []), ("epoch_length", 1, []), ("active", 2, [])]),
}
