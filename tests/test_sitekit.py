"""The test server itself: `serve(..., compress=True)` answers gzip as a static host would."""

from __future__ import annotations

import gzip
import urllib.request
from pathlib import Path

import pytest

from tests.sitekit import serve

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[bytes, dict[str, str]]:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {})) as response:
        return response.read(), dict(response.headers)


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    (tmp_path / "page").mkdir()
    (tmp_path / "page" / "index.html").write_text("<!doctype html><title>page</title>" + "<p>text</p>" * 200)
    (tmp_path / "app.js").write_text("console.log('hello');\n" * 100)
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (tmp_path / "runtime.wasm").write_bytes(b"\0asm" + bytes(4000))
    (tmp_path / "runtime.wasm.gz").write_bytes(gzip.compress((tmp_path / "runtime.wasm").read_bytes(), 9, mtime=1))
    return tmp_path


@pytest.mark.parametrize(("path", "file", "content_type"), [
    ("page/", "page/index.html", "text/html"),
    ("app.js", "app.js", "text/javascript"),
    ("runtime.wasm", "runtime.wasm", "application/wasm"),
])  # fmt: skip
def test_compress_answers_gzip(folder: Path, path: str, file: str, content_type: str) -> None:
    with serve(folder, compress=True) as server:
        body, headers = fetch(server.url + path, GZIP)
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Vary"] == "Accept-Encoding"
    assert headers["Content-Type"] == content_type
    assert int(headers["Content-Length"]) == len(body)
    assert gzip.decompress(body) == (folder / file).read_bytes()


def test_compress_uses_the_gz_sibling(folder: Path) -> None:
    with serve(folder, compress=True) as server:
        body, _ = fetch(server.url + "runtime.wasm", GZIP)
    assert body == (folder / "runtime.wasm.gz").read_bytes()


def test_without_compress_the_file_as_it_is(folder: Path) -> None:
    with serve(folder) as server:
        for path in ("page/index.html", "app.js", "runtime.wasm", "image.png"):
            body, headers = fetch(server.url + path, GZIP)
            assert "Content-Encoding" not in headers, path
            assert body == (folder / path).read_bytes(), path


def test_compress_only_when_accepted_and_worth_it(folder: Path) -> None:
    """Raw to a client that does not accept gzip, and for binary files without a `.gz` sibling."""
    with serve(folder, compress=True) as server:
        for path, headers in (("app.js", {}), ("runtime.wasm", {"Accept-Encoding": "gzip;q=0"}), ("image.png", GZIP)):
            body, answered = fetch(server.url + path, headers)
            assert "Content-Encoding" not in answered, path
            assert body == (folder / path).read_bytes(), path
            assert int(answered["Content-Length"]) == len(body), path
