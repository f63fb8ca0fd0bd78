"""Test helpers: build the site (or a temporary copy of the project), and serve it on 127.0.0.1."""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import os
import shutil
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Chromium's new headless mode builds its WebUI address-bar popup (dozens of chrome:// modules, in two
# more renderers) for every new window, so for every page a test or a benchmark opens, while it loads.
# A reader's browser does not; on two cores it slowed every measure of `make bench` by 15-30%.
NO_OMNIBOX_POPUP = "--disable-features=WebUIOmniboxPopup,WebUIOmniboxFullPopup,WebUIOmniboxAimPopup"
PROJECT_PARTS = ("mkdocs.yml", "pyproject.toml", "package.json", "decision", "docs", "hooks", "overrides")


def build(
    project: Path, site_dir: Path, *, site_url: str = "http://127.0.0.1:8000/", env: Mapping[str, str] | None = None, tool: str = "mkdocs"
) -> subprocess.CompletedProcess[str]:
    """`mkdocs build --strict` of a project folder (or the same with `tool="properdocs"`, the
    maintained fork, reading the same mkdocs.yml); `decision` is imported from that folder."""
    environment = {**os.environ, "SITE_URL": site_url, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(project), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", tool, "build", "--strict", "--config-file", "mkdocs.yml", "--site-dir", str(site_dir)],
        cwd=project, env=environment, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def copy_project(dest: Path, source_root: Path = ROOT) -> Path:
    """A temporary copy of the project (node_modules and the build cache linked, not copied),
    to break on purpose. `source_root`: another checkout to copy the parts from (the bench
    compares against an earlier commit); node_modules and .cache are still this project's."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        source = source_root / part
        if source.is_dir():
            shutil.copytree(source, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, dest / part)
    (dest / "node_modules").symlink_to(ROOT / "node_modules")
    (ROOT / ".cache").mkdir(exist_ok=True)
    (dest / ".cache").symlink_to(ROOT / ".cache")  # wheel, stdlib and snapshot are cached by content
    return dest


# Compressed on the fly besides text/*; zip files (wheels, the stdlib) are compressed already,
# and the build writes a `.gz` sibling for the ones worth it.
_COMPRESSIBLE = {"application/javascript", "application/json", "application/manifest+json", "application/xml", "image/svg+xml", "application/wasm"}


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".wasm": "application/wasm",
        ".whl": "application/zip",
        ".json": "application/json",
    }
    prefix = "/"
    headers_for: Callable[[str], Mapping[str, str]] = staticmethod(lambda path: {})
    blocked: set[str] = set()
    compress = False
    gzipped: dict[str, bytes] = {}  # file path -> its bytes gzipped on the fly, per server

    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if not clean.startswith(self.prefix):
            return str(Path(self.directory) / "__outside_the_prefix__")
        return super().translate_path("/" + clean[len(self.prefix):])

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        if any(part in self.path for part in self.blocked):
            self.send_error(404, "blocked by the test")
            return
        super().do_GET()

    def send_head(self) -> io.BufferedIOBase | None:
        """With `compress`, gzip as nginx's `gzip_static on` and `gzip on` for text types would."""
        if not self.compress or not _accepts_gzip(self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        path = Path(self.translate_path(self.path))
        if path.is_dir() and urllib.parse.urlsplit(self.path).path.endswith("/"):
            path = path / "index.html"
        content_type = self.guess_type(str(path))
        sibling = path.with_name(path.name + ".gz")
        if not path.is_file() or not (sibling.is_file() or content_type.startswith("text/") or content_type in _COMPRESSIBLE):
            return super().send_head()  # redirects, listings, 404s and binary files: as without `compress`
        if sibling.is_file():
            body = sibling.read_bytes()
        else:
            if str(path) not in self.gzipped:
                self.gzipped[str(path)] = gzip.compress(path.read_bytes(), 6, mtime=0)
            body = self.gzipped[str(path)]
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", self.date_time_string(int(path.stat().st_mtime)))
        self.end_headers()
        return io.BytesIO(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A missing path gets the site's own 404.html (status 404), as GitHub Pages, Netlify and
        Cloudflare Pages serve it (and nginx with `error_page 404 /404.html`)."""
        page = Path(self.directory) / "404.html"
        if code != 404 or self.command != "GET" or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404, message)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        extra = self.headers_for(self.path)
        for name, value in extra.items():
            self.send_header(name, value)
        if "Cache-Control" not in extra:
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def _accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header allows gzip (`gzip;q=0` refuses it)."""
    for part in accept_encoding.split(","):
        name, _, params = part.partition(";")
        if name.strip().lower() == "gzip":
            return float(params.strip().removeprefix("q=") or 1) > 0
    return False


@contextmanager
def serve(directory: Path, *, prefix: str = "/", headers: Callable[[str], Mapping[str, str]] | None = None, compress: bool = False) -> Iterator["Server"]:
    """Serve `directory` under `prefix` on 127.0.0.1 (a free port) in a thread; with `compress`,
    gzipped to a client that accepts it: a file's `.gz` sibling if there is one, else text gzipped on the fly."""
    handler = type("Handler", (_Handler,), {"prefix": prefix, "blocked": set(), "compress": compress, "gzipped": {}})
    if compress:  # and connections kept alive, as a real host's would be
        handler.protocol_version = "HTTP/1.1"
    if headers is not None:
        handler.headers_for = staticmethod(headers)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}{prefix}", handler.blocked)
    finally:
        httpd.shutdown()
        httpd.server_close()


class Server:
    def __init__(self, url: str, blocked: set[str]) -> None:
        self.url = url
        self.blocked = blocked
        """Parts of a path to answer with 404: a test's way to break a file."""


def header_rules(site: Path) -> dict[str, dict[str, str]]:
    """The build's `_headers` file (Netlify / Cloudflare Pages format): path pattern -> headers."""
    rules: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for line in (site / "_headers").read_text().splitlines():
        if line and not line[0].isspace():
            current = rules.setdefault(line.strip(), {})
        elif line.strip():
            name, _, value = line.strip().partition(":")
            current[name.strip()] = value.strip()
    return rules


def headers_from_file(site: Path) -> Callable[[str], Mapping[str, str]]:
    """The headers of `_headers` applied as such a host would: every matching rule, in order."""
    rules = header_rules(site)

    def headers(path: str) -> Mapping[str, str]:
        found: dict[str, str] = {}
        for pattern, values in rules.items():
            if path.startswith(pattern.rstrip("*")) if pattern.endswith("*") else path == pattern:
                found.update(values)
        return found

    return headers
