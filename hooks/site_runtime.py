"""Build the decision wheel and ship it, with the pinned Pyodide runtime, into the site.

Plain functions: the MkDocs adapter (checklists.py) calls them, and so do the tests."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import struct
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "RUNTIME_FILES",
    "WORKER_SOURCE",
    "RuntimeMissing",
    "Shipped",
    "Wheel",
    "browser_lock",
    "build_wheel",
    "gzip_sibling",
    "memory_snapshot",
    "runtime_files",
    "runtime_version",
    "shipped_files",
    "source_digest",
    "sparse",
    "trimmed_stdlib",
    "unsparse",
]

# What a browser worker needs from the npm `pyodide` package (the rest is for Node or debugging).
# The standard library is not among them: the site ships a trimmed one (trimmed_stdlib).
RUNTIME_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "pyodide-lock.json")
_REPRODUCIBLE_EPOCH = "315532800"  # 1980-01-01: zip's earliest date, so the same source gives the same bytes


class RuntimeMissing(Exception):
    """The pinned Pyodide runtime is not installed (node_modules/pyodide), or failed under Node."""


@dataclass(frozen=True)
class Wheel:
    path: Path
    digest: str
    """sha256 of the wheel's bytes, hex: the site serves the wheel under a folder of that name."""


def source_digest(project: Path) -> str:
    """A digest of everything that goes into the wheel, to rebuild only when it changed."""
    sha = hashlib.sha256()
    for path in sorted([project / "pyproject.toml", *(project / "decision").rglob("*")]):
        if path.is_file() and "__pycache__" not in path.parts:
            sha.update(str(path.relative_to(project)).encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


def build_wheel(project: Path, cache: Path) -> Wheel:
    """Build the `py3-none-any` wheel with the PEP 517 backend (flit_core), in-process and
    reproducibly; reuse the cached one when the sources have not changed."""
    from flit_core import buildapi  # the backend named in pyproject.toml, pinned in requirements.txt

    key = source_digest(project)[:16]
    target = cache / "wheel" / key
    built = sorted(target.glob("*.whl")) if target.is_dir() else []
    if not built:
        target.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
            cwd, epoch = Path.cwd(), os.environ.get("SOURCE_DATE_EPOCH")
            os.environ["SOURCE_DATE_EPOCH"] = _REPRODUCIBLE_EPOCH
            try:
                os.chdir(project)  # PEP 517 hooks run in the project's folder
                name = buildapi.build_wheel(scratch)
            finally:
                os.chdir(cwd)
                if epoch is None:
                    del os.environ["SOURCE_DATE_EPOCH"]
                else:
                    os.environ["SOURCE_DATE_EPOCH"] = epoch
            shutil.move(str(Path(scratch) / name), target / name)
        built = [target / name]
    wheel = built[0]
    return Wheel(wheel, hashlib.sha256(wheel.read_bytes()).hexdigest())


def runtime_version(project: Path) -> str:
    """The pinned Pyodide version: package.json is the one place it is written."""
    return str(json.loads((project / "package.json").read_text())["dependencies"]["pyodide"])


def runtime_files(project: Path) -> dict[str, Path]:
    """The browser's share of the pinned Pyodide runtime: file name -> installed path."""
    source = project / "node_modules" / "pyodide"
    missing = [name for name in (*RUNTIME_FILES, "python_stdlib.zip") if not (source / name).is_file()]
    if missing:
        raise RuntimeMissing(f"The Pyodide runtime is missing ({source / missing[0]}): run `npm ci` (or `make setup`) to fetch it.")
    installed = json.loads((source / "package.json").read_text())["version"]
    if installed != runtime_version(project):
        raise RuntimeMissing(f"node_modules has Pyodide {installed}, package.json pins {runtime_version(project)}: run `npm ci`.")
    return {name: source / name for name in RUNTIME_FILES}


def browser_lock(project: Path) -> str:
    """Pyodide's lock file without its package list: the site loads no Pyodide packages (the
    engine is pure Python, unpacked from its own wheel), so 119 kB become a few bytes."""
    lock = json.loads((project / "node_modules" / "pyodide" / "pyodide-lock.json").read_text())
    return json.dumps({"info": lock["info"], "packages": {}})


def trimmed_stdlib(project: Path, wheel: Wheel, cache: Path) -> Path:
    """Pyodide's stdlib zip cut down to the modules that its boot and the engine import, found by
    running the engine (and its error paths) in the pinned Pyodide under Node, without
    docstrings: about 0.42 MB gzipped instead of 2.5 MB. A module outside it would fail with
    ModuleNotFoundError, so the tests run the engine on this very zip."""
    target = cache / "stdlib" / f"{runtime_version(project)}-{wheel.digest[:16]}" / "python_stdlib.zip"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
        _node(project, "stdlib", str(wheel.path), str(partial))
        partial.replace(target)
    return target


def memory_snapshot(project: Path, wheel: Wheel, stdlib: Path, cache: Path) -> Path:
    """A memory snapshot of Pyodide with the engine imported and warm, made under Node from the
    same runtime, wheel and stdlib the site ships, stored sparse. Restoring it skips the
    interpreter's start-up."""
    inputs = runtime_version(project).encode() + wheel.digest.encode() + stdlib.read_bytes() + SPARSE_MAGIC
    target = cache / "snapshot" / hashlib.sha256(inputs).hexdigest()[:16] / "engine.snapshot"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
        _node(project, "snapshot", str(wheel.path), str(stdlib), str(partial))
        partial.write_bytes(sparse(partial.read_bytes()))
        partial.replace(target)
    return target


# The sparse form of a memory snapshot: about half of Pyodide's memory is zero pages, which need
# no bytes in the reader's Cache Storage, nor any time to read back (checklist-worker.mjs expands
# it). Little-endian: SPARSE_MAGIC, u32 full size, u32 run count, then per run u32 offset and
# u32 length, then the runs' bytes in order.
SPARSE_MAGIC = b"PYSPARS1"
SPARSE_PAGE = 4096


def sparse(memory: bytes) -> bytes:
    """`memory` without its all-zero pages: runs of non-zero pages, with their offsets."""
    runs: list[tuple[int, int]] = []
    zero = bytes(SPARSE_PAGE)
    for offset in range(0, len(memory), SPARSE_PAGE):
        page = memory[offset : offset + SPARSE_PAGE]
        if page == zero[: len(page)]:
            continue
        if runs and runs[-1][0] + runs[-1][1] == offset:
            runs[-1] = (runs[-1][0], runs[-1][1] + len(page))
        else:
            runs.append((offset, len(page)))
    header = SPARSE_MAGIC + struct.pack("<II", len(memory), len(runs)) + b"".join(struct.pack("<II", *run) for run in runs)
    return header + b"".join(memory[offset : offset + length] for offset, length in runs)


def unsparse(data: bytes) -> bytes:
    """The memory a sparse snapshot describes (the worker does the same in JavaScript)."""
    if not data.startswith(SPARSE_MAGIC):
        raise ValueError("not a sparse snapshot")
    size, count = struct.unpack_from("<II", data, len(SPARSE_MAGIC))
    memory = bytearray(size)
    position = len(SPARSE_MAGIC) + 8 + 8 * count
    for index in range(count):
        offset, length = struct.unpack_from("<II", data, len(SPARSE_MAGIC) + 8 + 8 * index)
        memory[offset : offset + length] = data[position : position + length]
        position += length
    return bytes(memory)


def _node(project: Path, *args: str) -> str:
    script = project / "hooks" / "pyodide_tools.mjs"
    try:
        done = subprocess.run(["node", str(script), *args], cwd=project, capture_output=True, text=True, timeout=300)
    except FileNotFoundError:
        raise RuntimeMissing("Node.js is needed to prepare the Pyodide runtime at build time: install Node 20+.") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeMissing(f"Preparing the Pyodide runtime failed (node {script.name} {args[0]}): {last}")
    return done.stdout


def gzip_sibling(path: Path, cache: Path) -> Path:
    """`path` gzipped (for a `.gz` sibling that nginx's gzip_static and similar serve as is),
    cached by content so that a rebuild costs a copy, not a compression."""
    data = path.read_bytes()
    target = cache / "gzip" / hashlib.sha256(data).hexdigest()[:16] / (path.name + ".gz")
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
        with open(partial, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as packed:
            packed.write(data)
        partial.replace(target)
    return target


# The engine's worker: written in docs/ beside the page module, left out of the docs
# (mkdocs.yml: exclude_docs) and shipped here under a content-hashed path.
WORKER_SOURCE = "docs/assets/checklist-worker.mjs"


@dataclass(frozen=True)
class Shipped:
    """What the build adds to the site beside the pages."""

    files: dict[str, Path | str]
    """Site URI -> the file to copy, or the text to write."""
    urls: dict[str, str]
    """runtime (a folder), wheel, stdlib, snapshot, worker -> site URI, for the checklist's HTML."""


def shipped_files(project: Path, cache: Path) -> Shipped:
    """The pinned runtime (versioned path), the wheel, the trimmed stdlib and the snapshot (hashed
    paths), `.gz` siblings of the big ones (for hosts that serve them as they are, like nginx's
    gzip_static), and Mermaid from npm."""
    runtime = runtime_files(project)
    runtime_uri = f"assets/pyodide/{runtime_version(project)}/"
    files: dict[str, Path | str] = {runtime_uri + name: path for name, path in runtime.items()}
    files[runtime_uri + "pyodide-lock.json"] = browser_lock(project)
    wheel = build_wheel(project, cache)
    stdlib = trimmed_stdlib(project, wheel, cache)
    snapshot = memory_snapshot(project, wheel, stdlib, cache)
    worker = project / WORKER_SOURCE  # hashed too: a returning reader's browser need not revalidate it
    urls = {
        "runtime": runtime_uri,
        "wheel": f"assets/wheels/{wheel.digest[:16]}/{wheel.path.name}",
        "stdlib": f"assets/stdlib/{_digest(stdlib)}/python_stdlib.zip",
        "snapshot": f"assets/snapshots/{_digest(snapshot)}/engine.snapshot",
        "worker": f"assets/engine/{_digest(worker)}/checklist-worker.mjs",
    }
    files.update({urls["wheel"]: wheel.path, urls["stdlib"]: stdlib, urls["snapshot"]: snapshot, urls["worker"]: worker})
    for uri in (runtime_uri + "pyodide.asm.wasm", runtime_uri + "pyodide.asm.mjs", urls["stdlib"], urls["snapshot"]):
        source = files[uri]
        assert isinstance(source, Path)
        files[uri + ".gz"] = gzip_sibling(source, cache)
    files["assets/vendor/mermaid.min.js"] = project / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
    return Shipped(files, urls)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
