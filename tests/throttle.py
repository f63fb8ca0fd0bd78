"""A slow host for the loading tests: the built site served uncompressed (as `python3 -m http.server`
serves it) through one shared link of a given rate and latency, with byte ranges (as nginx and
most static hosts honour them), a log of what each request got, and a way to make one transfer
stop dead halfway, as a dropped connection does."""

from __future__ import annotations

import functools
import http.server
import io
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from tests.sitekit import Server, _Handler

CHUNK = 8192


class Link:
    """One link shared by every connection: `rate` bytes per second in all."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.lock = threading.Lock()
        self.free_at = time.monotonic()

    def send(self, size: int) -> None:
        with self.lock:
            now = time.monotonic()
            self.free_at = max(self.free_at, now) + size / self.rate
            wait = self.free_at - now
        time.sleep(max(0.0, wait))


@dataclass
class Transfer:
    """One request: its path, the Range it asked for, the status and the body bytes it was sent."""

    path: str
    range: str | None
    status: int = 0
    sent: int = 0


@dataclass
class Freeze:
    """The first transfer whose path contains `part` stops after `after` bytes, until `released`."""

    part: str
    after: int
    used: bool = False
    frozen: threading.Event = field(default_factory=threading.Event)


class _SlowHandler(_Handler):
    link: Link
    latency: float
    transfers: list[Transfer]
    freezes: list[Freeze]
    released: threading.Event

    def send_head(self) -> io.BufferedIOBase | BinaryIO | None:  # type: ignore[override]
        time.sleep(self.latency)  # the request's round trip
        self.transfer = Transfer(self.path, self.headers.get("Range"))
        self.transfers.append(self.transfer)
        self.offset = 0
        wanted = self.headers.get("Range", "")
        path = Path(self.translate_path(self.path))
        if not (wanted.startswith("bytes=") and wanted.endswith("-") and path.is_file()):
            return super().send_head()
        start = int(wanted[6:-1])
        size = path.stat().st_size
        modified = self.date_time_string(int(path.stat().st_mtime))
        if_range = self.headers.get("If-Range")
        if (if_range and if_range != modified) or start >= size:
            return super().send_head()  # changed since (or nothing left): the whole file
        source = path.open("rb")
        source.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
        self.send_header("Content-Length", str(size - start))
        self.send_header("Last-Modified", modified)
        self.end_headers()
        return source  # type: ignore[return-value]

    def send_response(self, code: int, message: str | None = None) -> None:
        if hasattr(self, "transfer"):
            self.transfer.status = code
        super().send_response(code, message)

    def end_headers(self) -> None:
        self.send_header("Accept-Ranges", "bytes")
        super().end_headers()

    def copyfile(self, source: BinaryIO, outputfile: BinaryIO) -> None:  # type: ignore[override]
        freeze = next((f for f in self.freezes if not f.used and f.part in self.path), None)
        if freeze:
            freeze.used = True
        while chunk := source.read(CHUNK):
            if freeze and self.transfer.sent + len(chunk) > freeze.after:
                freeze.frozen.set()
                self.released.wait()  # a dead connection: nothing more, nothing closed
                return
            self.link.send(len(chunk))
            try:
                outputfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                return  # the browser gave up on this request
            self.transfer.sent += len(chunk)


class SlowServer(Server):
    def __init__(self, url: str, blocked: set[str], handler: type[_SlowHandler]) -> None:
        super().__init__(url, blocked)
        self._handler = handler
        self.transfers = handler.transfers

    def freeze(self, part: str, after: int) -> Freeze:
        """Make the next transfer of a path containing `part` stop dead after `after` bytes."""
        freeze = Freeze(part, after)
        self._handler.freezes.append(freeze)
        return freeze

    def of(self, part: str) -> list[Transfer]:
        """The transfers of the paths containing `part`, in the order they started."""
        return [t for t in list(self.transfers) if part in t.path]


@contextmanager
def serve_slowly(directory: Path, *, rate: float, latency: float) -> Iterator[SlowServer]:
    """Serve `directory` on 127.0.0.1 through a `rate` bytes/s link with `latency` s per request."""
    released = threading.Event()
    handler = type("SlowHandler", (_SlowHandler,), {
        "prefix": "/", "blocked": set(), "compress": False, "gzipped": {},
        "link": Link(rate), "latency": latency, "transfers": [], "freezes": [], "released": released,
    })  # fmt: skip
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    server = SlowServer(f"http://127.0.0.1:{httpd.server_address[1]}/", handler.blocked, handler)
    try:
        yield server
    finally:
        released.set()
        httpd.shutdown()
        httpd.server_close()


def engine_files(site: Path) -> dict[str, int]:
    """The engine's files a cold checklist visit fetches (path in the site -> size)."""
    parts = ("assets/pyodide/", "assets/stdlib/", "assets/wheels/")
    return {
        path.relative_to(site).as_posix(): path.stat().st_size
        for path in site.rglob("*")
        if path.is_file() and path.suffix != ".gz" and path.relative_to(site).as_posix().startswith(parts)
    }


__all__ = ["Freeze", "Link", "SlowServer", "Transfer", "engine_files", "serve_slowly"]
