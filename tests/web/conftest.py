"""A real ``vnsearch serve`` (uvicorn, in a thread) over a real index built from the shipped corpus
plus one hostile document, and a headless Chromium for the browser tests."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import require
import uvicorn

from indexer.build import index_paths
from search.web import create_app

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic", "--no-first-run",
]

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_TEXT = f"""Kiểm tra bảo mật {XSS_SCRIPT} trang tìm kiếm

Văn bản thử nghiệm an toàn: đoạn mã {XSS_SCRIPT} và thẻ ảnh {XSS_IMG} phải hiện ra
như chữ bình thường, không được chạy trong trình duyệt của người đọc.

Đoạn thứ hai nhắc lại kiểm tra bảo mật với {XSS_IMG} một lần nữa.
"""


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory) -> Path:
    extra = tmp_path_factory.mktemp("extra")
    (extra / "bao_mat.txt").write_text(XSS_TEXT, encoding="utf-8")
    index = tmp_path_factory.mktemp("index")
    index_paths([CORPUS, extra], index, jobs=1)
    return index


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # not the main thread
        pass


@contextmanager
def running(app):
    """Serve ``app`` with uvicorn on a free port of 127.0.0.1; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = _Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="session")
def base_url(index_dir) -> str:
    with running(create_app(index_dir)) as url:
        yield url


@pytest.fixture(scope="session")
def client(base_url):
    with httpx.Client(base_url=base_url, timeout=30) as c:
        yield c


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    require(Path(CHROMIUM).exists(), "no Chromium at /usr/bin/chromium (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    yield page
    context.close()
