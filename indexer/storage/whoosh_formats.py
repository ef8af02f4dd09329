"""Compact Whoosh posting formats: the index is mostly postings, so their size is the index size.

Whoosh's ``Frequency`` stores each posting's frequency twice (as a float weight and as a packed
uint value) and ``Positions`` pickles a Python list per posting. In passages of a few hundred
characters most terms occur once, so:

* ``TermFrequency`` keeps the frequency only as the posting's weight, and no value at all; a
  block whose weights are all 1.0 is then stored as a single ``None``.
* ``VarintPositions`` stores positions as delta-encoded varints (one byte for most gaps). In
  posting blocks written by ``segment`` the varints are kept as one int (``pack_value``): Whoosh
  pickles blocks with protocol 2, where a short ``bytes`` takes about ten bytes and a small int
  two; positional postings became less than half their size.

Scoring reads weights; phrase matching reads positions through ``decode_positions``; both work
as with Whoosh's own formats.
"""

from __future__ import annotations

from collections import defaultdict

from whoosh.formats import Format, tokens


class TermFrequency(Format):
    """Frequency as the weight; no per-posting value."""

    posting_size = 0

    def word_values(self, value, analyzer, **kwargs):
        fb = self.field_boost
        freqs: dict[str, int] = defaultdict(int)
        for t in tokens(value, analyzer, kwargs):
            freqs[t.text] += 1
        return ((w, f, f * fb, b"") for w, f in freqs.items())

    def decode_weight(self, valuestring):
        return self.field_boost

    def decode_frequency(self, valuestring):
        # The frequency lives in the posting's weight; Whoosh's scorers read that.
        return 1


def _varints(numbers: list[int]) -> bytes:
    out = bytearray()
    for n in numbers:
        while n >= 0x80:
            out.append((n & 0x7F) | 0x80)
            n >>= 7
        out.append(n)
    return bytes(out)


def _unvarints(data: bytes) -> list[int]:
    out = []
    n = shift = 0
    for byte in data:
        n |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
        else:
            out.append(n)
            n = shift = 0
    return out


class VarintPositions(Format):
    """Positions as delta-encoded varints."""

    def word_values(self, value, analyzer, **kwargs):
        fb = self.field_boost
        poses: dict[str, list[int]] = defaultdict(list)
        kwargs["positions"] = True
        for t in tokens(value, analyzer, kwargs):
            poses[t.text].append(t.pos)
        for w, poslist in poses.items():
            yield (w, len(poslist), len(poslist) * fb, self.encode(poslist))

    def encode(self, poslist: list[int]) -> bytes:
        prev = 0
        deltas = []
        for pos in poslist:
            deltas.append(pos - prev)
            prev = pos
        return _varints(deltas)

    @staticmethod
    def pack_value(value: bytes | int) -> int:
        """The encoded positions as one int, never 0 (empty values are dropped from blocks)."""
        if isinstance(value, int):
            return value
        return int.from_bytes(value, "little") + 1

    @staticmethod
    def _varint_bytes(value: bytes | int) -> bytes:
        """The varints of a stored value, packed (``pack_value``) or not. No varint string ends
        in a zero byte except the one of positions [0], so the int gives back its length."""
        if isinstance(value, int):
            n = value - 1
            return n.to_bytes(max(1, (n.bit_length() + 7) // 8), "little")
        return value

    def decode_positions(self, valuestring: bytes | int) -> list[int]:
        positions = []
        pos = 0
        for delta in _unvarints(self._varint_bytes(valuestring)):
            pos += delta
            positions.append(pos)
        return positions

    def decode_frequency(self, valuestring: bytes | int) -> int:
        return len(_unvarints(self._varint_bytes(valuestring)))

    def decode_weight(self, valuestring: bytes | int) -> float:
        return self.decode_frequency(valuestring) * self.field_boost
