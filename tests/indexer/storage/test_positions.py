"""Phrase matching on positions decoded as arrays (``positions``, ``whoosh_postings``), checked
against two independent answers on real text: a plain scan of each passage's analyzed syllables,
and Whoosh's own ``Phrase`` query (span matchers), which the reader used before.

The index holds the shipped corpus and documents written here: hundreds of passages (so that
common syllables have many posting blocks, some skipped, some read), Vietnamese with diacritics,
the same without them and in NFD, punctuation-joined codes (``35-CT/TW``, ``4,18``), repeated
syllables, a syllable repeated often enough that its positions need more than eight bytes; then
a second segment and deleted records.
"""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.query import Phrase, Term

from analyzers import analyze
from indexer.build import index_paths
from indexer.storage import IndexWriter, open_reader
from indexer.storage.positions import decode
from indexer.storage.reader import INDEX_NAME
from indexer.storage.whoosh_formats import VarintPositions
from indexer.storage.whoosh_schema import SCHEMA
from tests.indexer.conftest import CORPUS

CODES = ("Theo Chỉ thị 35-CT/TW của Bộ Chính trị, lãi suất tăng 4,18% so với năm 2023; "
         "Nghị định 15/2020/NĐ-CP và Quyết định 1234/QĐ-UBND được ban hành tại Thành phố Hồ Chí Minh.")
REPEATS = "ha ha ha ha, Hà Nội Hà Nội Hà Nội. Thái Nguyên, Thái Nguyên thái nguyên."
LONG = " ".join(["Ủy ban nhân dân"] + ["mỗi câu một chữ khác nhau về kinh tế"] * 3 + ["ủy ban"]) * 12


def _documents() -> dict[str, str]:
    """Documents written for the tests: corpus paragraphs recombined, and the special cases."""
    paragraphs = [p.strip() for f in sorted(CORPUS.glob("*.txt"))
                  for p in f.read_text(encoding="utf-8").split("\n") if len(p.strip()) > 80]
    rng = random.Random(12)
    docs = {}
    for i in range(260):
        picked = rng.sample(paragraphs, 3)
        docs[f"mix-{i:03d}.txt"] = f"Bài viết số {i} về đời sống hôm nay\n\n" + "\n\n".join(picked)
    docs["codes.txt"] = "Văn bản pháp luật mới ban hành\n\n" + CODES
    folded = "".join(c for c in unicodedata.normalize("NFD", CODES) if not unicodedata.combining(c))
    docs["codes-plain.txt"] = "Van ban phap luat moi ban hanh\n\n" + folded.replace("đ", "d").replace("Đ", "D")
    docs["codes-nfd.txt"] = unicodedata.normalize("NFD", "Văn bản pháp luật mới ban hành\n\n" + CODES)
    docs["repeats.txt"] = "Những câu lặp lại nhiều lần liền\n\n" + REPEATS
    docs["long.txt"] = "Một bài rất dài về ủy ban nhân dân\n\n" + LONG
    return docs


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("positions")
    docs = root / "docs"
    docs.mkdir()
    for p in sorted(CORPUS.glob("*.txt")):
        (docs / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    written = _documents()
    names = sorted(written)
    for name in names[:200]:
        (docs / name).write_text(written[name], encoding="utf-8")
    index_paths([docs], root / "ix", jobs=1)
    for name in names[200:]:  # a second commit: another segment
        (docs / name).write_text(written[name], encoding="utf-8")
    index_paths([docs], root / "ix", jobs=1)
    with open_reader(root / "ix") as reader:
        doomed = [d.path for d in reader.documents() if Path(d.path).name in ("mix-003.txt", "mix-150.txt", "mix-240.txt")]
    with IndexWriter(root / "ix") as w:  # deleted records, masked rather than merged away
        for path in doomed:
            w.delete_path(path)
        w.commit()
    return root / "ix"


def _whoosh_phrase(index: Path, field: str, terms: tuple[str, ...]) -> list[int]:
    """The old path: Whoosh's own Phrase query through its span matchers (a Term for one term)."""
    ix = whoosh_index.open_dir(str(index), indexname=INDEX_NAME, schema=SCHEMA)
    query = Term(field, terms[0]) if len(terms) == 1 else Phrase(field, list(terms))
    with ix.searcher() as searcher:
        return sorted(searcher.docs_for_query(query))


def _phrases(folded: dict[int, list[str]]) -> list[tuple[str, ...]]:
    rng = random.Random(5)
    out = set()
    docnums = sorted(folded)
    for docnum in rng.sample(docnums, 120):
        syl = folded[docnum]
        for _ in range(3):
            n = rng.choice((2, 2, 3, 4, 5))
            if len(syl) > n:
                i = rng.randrange(len(syl) - n)
                out.add(tuple(syl[i : i + n]))
    for text in (CODES, REPEATS, "ủy ban nhân dân", "hà nội hà nội", "kinh tế kinh tế"):
        syl = analyze(text).folded
        out.update(tuple(syl[i : i + n]) for n in (2, 3) for i in range(len(syl) - n + 1))
    out.update([("35", "ct", "tw"), ("1234", "qd", "ubnd"), ("4", "18"), ("ha", "ha"), ("ha", "ha", "ha"), ("ha", "ha", "ha", "ha", "ha"),
                ("tw", "ct", "35"), ("kinh", "te", "khongcotunay"), ("cua", "cua"), ("va", "cac")])
    return sorted(out)


def test_phrases_match_a_scan_of_the_text_and_whooshs_phrase_query(index: Path):
    with open_reader(index) as reader:
        assert len(reader.segments) >= 2 and not reader.live().all()
        folded = {d: analyze(reader.passage(d).text).folded for d in reader.passages()}
        assert len(folded) > 500
        phrases = _phrases(folded)
        assert len(phrases) > 300
        multi_block = 0
        for phrase in phrases:
            n = len(phrase)
            want = sorted(d for d, syl in folded.items()
                          if any(tuple(syl[i : i + n]) == phrase for i in range(len(syl) - n + 1)))
            got = reader.matching("fsyl", phrase)
            assert got.tolist() == want, phrase
            assert want == _whoosh_phrase(index, "fsyl", phrase), phrase
            multi_block += reader.doc_frequency("fsyl", phrase[0]) > 128
        assert multi_block > 20  # phrases of common syllables: many blocks, some skipped
        # The codes are found however they were written: diacritics, none, NFD.
        codes = {reader.passage(int(d)).path.rsplit("/", 1)[-1] for d in reader.matching("fsyl", ("1234", "qd", "ubnd"))}
        assert codes == {"codes.txt", "codes-plain.txt", "codes-nfd.txt"}


def test_single_terms_and_titles_match_whoosh(index: Path):
    with open_reader(index) as reader:
        for field, terms in [("fsyl", ("kinh",)), ("fsyl", ("ha",)), ("kind", ("passage",)), ("kind", ("doc",)),
                             ("title", ("bai",)), ("title", ("van", "ban")), ("title", ("lap", "lai", "nhieu")),
                             ("title", ("ban", "van")), ("title", ("ve", "uy", "ban")), ("fsyl", ("khongcotunay",))]:
            assert reader.matching(field, terms).tolist() == _whoosh_phrase(index, field, terms), (field, terms)
        assert len(reader.matching("title", ("van", "ban", "phap", "luat"))) == 3
        assert len(reader.matching("title", ("bai", "viet", "so"))) == 260 - 3


def test_postings_with_deletions_match_whooshs_matcher(index: Path):
    ix = whoosh_index.open_dir(str(index), indexname=INDEX_NAME, schema=SCHEMA)
    with open_reader(index) as reader, ix.searcher() as searcher:
        leaves = searcher.subsearchers or [(searcher, 0)]
        assert any(s.reader().has_deletions() for s, _ in leaves)
        blocks = 0
        for (seg, base), (whoosh_leaf, offset) in zip(reader.segments, leaves):
            assert base == offset
            for term in ("kinh", "te", "ha", "va", "cua", "cac", "nguoi", "35", "uy", "ban", "bai", "viet"):
                blocks += seg.doc_frequency("fsyl", term) > 2 * 128  # three blocks or more
                m = whoosh_leaf.reader().postings("fsyl", term)
                ids, weights = [], []
                while m.is_active():
                    ids.append(m.id())
                    weights.append(m.weight())
                    m.next()
                got_ids, got_weights = seg.w3_postings("fsyl", term)
                assert got_ids.tolist() == ids and got_weights.tolist() == weights, term
                # What scoring reads (the bags file, layout 4): the same live postings and
                # frequencies; the bag keeps deleted records' postings, which the scorer masks.
                bag_ids, bag_freqs = seg.postings("fsyl", term)
                deleted = seg._deleted_mask
                live = ~deleted[bag_ids] if deleted is not None else np.ones(len(bag_ids), dtype=bool)
                assert bag_ids[live].tolist() == ids and bag_freqs[live].tolist() == weights, term
                assert seg.doc_frequency("fsyl", term) == whoosh_leaf.reader().doc_frequency("fsyl", term)
        assert blocks >= 3


def test_decoded_positions_are_the_formats_own():
    fmt = VarintPositions()
    rng = random.Random(3)
    lists = [[0], [0, 1], [127], [128], [0, 128, 16384], [5, 6, 7, 8, 9, 10, 11, 12, 13, 14], list(range(0, 4000, 300))]
    for _ in range(3000):
        top = rng.choice((8, 200, 5000, 300_000))
        lists.append(sorted(rng.sample(range(top), min(top, rng.choice((1, 1, 2, 3, 6, 15, 40))))))
    # Packed ints (as the segment writer keeps them) and bytes (as Whoosh's own writer did).
    values = [fmt.pack_value(fmt.encode(p)) if i % 3 else fmt.encode(p) for i, p in enumerate(lists)]
    assert any(type(v) is int and v >= 1 << 64 for v in values)  # more than eight bytes of varints
    owners, positions = decode(values)
    got = [[] for _ in lists]
    for owner, position in zip(owners.tolist(), positions.tolist()):
        got[owner].append(position)
    assert got == lists == [fmt.decode_positions(v) for v in values]
    empty_owners, empty = decode([])
    assert len(empty_owners) == len(empty) == 0
    assert np.array_equal(decode(values[7:9])[1], np.array(lists[7] + lists[8]))


def test_a_commits_phrase_matches_are_kept_read_only(index: Path):
    with open_reader(index) as reader:
        first = reader.matching("fsyl", ("kinh", "te"))
        assert len(first) and reader.matching("fsyl", ("kinh", "te")) is first
        assert not first.flags.writeable
        with pytest.raises(ValueError):
            first[0] = -1
        assert reader.matching("fsyl", ("te", "kinh")) is not first
