"""Reading the chain's one binary codec (commonware-codec), strictly.

Every decoder here refuses what the Rust decoder refuses: bytes missing,
bytes left over, a varint that is not canonical or overflows, a boolean
other than 0 or 1, a length beyond its bound. docs/audit.md, "The codec".
"""


class Malformed(Exception):
    """Bytes that are not exactly one encoding of the expected value."""


class Reader:
    def __init__(self, data: bytes):
        self.data = bytes(data)
        self.at = 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.at + n > len(self.data):
            raise Malformed("ends early")
        out = self.data[self.at:self.at + n]
        self.at += n
        return out

    def u8(self) -> int:
        return self.take(1)[0]

    def fixed(self, n: int) -> int:
        """An unsigned integer of n bytes, big-endian (u16, u32, u64, u128)."""
        return int.from_bytes(self.take(n), "big")

    def u32(self) -> int:
        return self.fixed(4)

    def u64(self) -> int:
        return self.fixed(8)

    def boolean(self) -> bool:
        byte = self.u8()
        if byte > 1:
            raise Malformed("a boolean is 0 or 1")
        return byte == 1

    def varint(self, bits: int = 64) -> int:
        """LEB128: 7 bits a byte, low first, high bit set when more follow.
        Canonical only: no zero last byte after the first, no bits past `bits`."""
        value = 0
        shift = 0
        while True:
            byte = self.u8()
            if byte == 0 and shift > 0:
                raise Malformed("a varint with a trailing zero byte")
            value |= (byte & 0x7F) << shift
            if value >> bits:
                raise Malformed("a varint overflows")
            if byte & 0x80 == 0:
                return value
            shift += 7
            if shift >= bits + 7:
                raise Malformed("a varint too long")

    def length(self, most: int) -> int:
        """A length (usize: a u32 varint) of at most `most`."""
        n = self.varint(32)
        if n > most:
            raise Malformed(f"a length of {n}, more than {most}")
        return n

    def option(self, read):
        return read() if self.boolean() else None

    def end(self):
        if self.at != len(self.data):
            raise Malformed(f"{len(self.data) - self.at} bytes left over")


def varint(value: int) -> bytes:
    """The encoding of an unsigned varint."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)
