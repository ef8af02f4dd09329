"""The compact posting formats read back what they were given."""

from __future__ import annotations

import pytest

from indexer.storage.whoosh_formats import VarintPositions


@pytest.mark.parametrize("positions", [[0], [1], [0, 1], [0, 127, 128, 129], [5, 300, 70_000], [127], [128], list(range(0, 2000, 7))])
def test_positions_read_back_from_bytes_and_from_the_packed_int(positions):
    fmt = VarintPositions()
    encoded = fmt.encode(positions)
    packed = fmt.pack_value(encoded)
    assert isinstance(packed, int) and packed > 0
    assert fmt.pack_value(packed) == packed
    for value in (encoded, packed):
        assert fmt.decode_positions(value) == positions
        assert fmt.decode_frequency(value) == len(positions)
