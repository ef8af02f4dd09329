from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest

from indexer.build import index_paths
from indexer.storage import IndexWriter, open_reader

CORPUS = Path(__file__).resolve().parents[2] / "corpus"

# Documents the tests write themselves, next to the shipped corpus.
EXTRA = {
    "dang.txt": "Đảng viên mới ở xã\n\nĐảng bộ xã tổ chức kết nạp đảng viên mới, Đảng ủy giao nhiệm vụ cho chi bộ.",
    "dang-2.txt": "Đang làm việc ở xưởng\n\nAnh ấy đang làm việc ở xưởng, đang chờ hàng về và đang gọi điện.",
    "dang-3.txt": "Dáng người của cô ấy\n\nCô ấy có dáng người cao, dáng đi nhanh nhẹn, dáng vẻ tự tin.",
    "markup.txt": "Bài có mã HTML\n\nVăn bản này chứa <b>thẻ in đậm</b> & ký hiệu \"ngoặc kép\" về hợp tác xã.",
}
NFD_TEXT = unicodedata.normalize("NFD", "Khoá học phòng chống thiên tai\n\nKhoá học về phòng chống thiên tai dành cho cán bộ xã ở Quảng Bình.")


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("search")
    docs = root / "docs"
    shutil.copytree(CORPUS, docs)
    for name, text in EXTRA.items():
        (docs / name).write_text(text, encoding="utf-8")
    (docs / "nfd.txt").write_text(NFD_TEXT, encoding="utf-8")
    index_paths([docs], root / "ix", jobs=1)
    return root / "ix"


def segmented_index(root: Path) -> Path:
    """The corpus and the tests' documents indexed into ``root / "ix"`` in several segments, with
    one document (``dang-2.txt``) deleted after."""
    docs = root / "docs"
    shutil.copytree(CORPUS, docs)
    for name, text in EXTRA.items():
        (docs / name).write_text(text, encoding="utf-8")
    index_paths([docs], root / "ix", jobs=1, commit_every=40)
    with open_reader(root / "ix") as reader:
        gone = next(d for d in reader.documents() if d.path.endswith("dang-2.txt"))
    with IndexWriter(root / "ix") as writer:
        writer.delete_path(gone.path)
        writer.commit()
    return root / "ix"
