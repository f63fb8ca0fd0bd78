"""Build the decision wheel and ship it, with the pinned Pyodide runtime, into the site.

Plain functions: the MkDocs adapter (checklists.py) calls them, and so do the tests.

What each derived file depends on, and so what its cache key in `.cache/` holds (nothing else
can change its bytes or what it does; a key that holds more rebuilds for nothing, one that holds
less ships a stale file):

| derived file            | built by                          | cache key (content hashes of)                                     |
|-------------------------|-----------------------------------|-------------------------------------------------------------------|
| the wheel               | build_wheel (flit_core, in-process, ~0.1 s) | source_digest: pyproject.toml and every file of decision/, the checklists' TOML included (package data) |
| the trimmed stdlib      | trimmed_stdlib (Node, a few s)    | stdlib_key: the Pyodide version and engine_digest                  |
| the memory snapshot     | memory_snapshot (Node, a few s)   | the Pyodide version, engine_digest, the stdlib's bytes, the sparse format |
| `.gz` siblings          | gzip_sibling                      | the bytes they compress                                            |
| the worker              | copied                            | its bytes (its URL)                                                |

engine_digest covers the engine's code, not its checklists: every file of decision/ except the
checklists' TOML (checklist_data), plus the build's own tools (pyodide_tools.mjs: the exercise
and the trimming; engine-probe.toml). The checklists do not go into the stdlib nor the snapshot:
- which stdlib modules get imported is decided by the code paths the exercise runs, and it runs
  engine-probe.toml, which holds every condition form, besides the shipped checklists;
- the snapshot is taken after jsonapi.forget_checklists(): it holds imported code and no checklist.
  The worker unpacks the wheel after a restore and reads the checklists from it (warm_up).
So a checklist edit, words or rules, rebuilds the wheel (and the pages) only; the site's
checklists and the engine's rules come from that one wheel and are never stale. A change to the
engine's code, the tools or the Pyodide version rebuilds all three.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import struct
import subprocess
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "RUNTIME_FILES",
    "WORKER_SOURCE",
    "RuntimeMissing",
    "Shipped",
    "Wheel",
    "SERVE_READY",
    "browser_lock",
    "build_wheel",
    "checklist_data",
    "engine_digest",
    "gzip_sibling",
    "memory_snapshot",
    "runtime_files",
    "runtime_version",
    "shipped_files",
    "source_digest",
    "snapshot_key",
    "sparse",
    "stdlib_key",
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


# The build's own tools: they decide what the stdlib holds and what the snapshot imported.
ENGINE_TOOLS = ("hooks/pyodide_tools.mjs", "hooks/engine-probe.toml")


def checklist_data(project: Path, path: Path) -> bool:
    """Whether a file of decision/ is a checklist definition (package data the engine reads, not
    code it imports): decision/checklists/*.toml."""
    return path.suffix == ".toml" and path.parent == project / "decision" / "checklists"


def engine_digest(project: Path) -> str:
    """A digest (hex) of what the trimmed stdlib and the snapshot are made from, besides the
    Pyodide version: the engine's code (every file of decision/ but the checklists, see
    checklist_data) and the build's tools (ENGINE_TOOLS). Raises FileNotFoundError if a tool is
    missing. See the module's docstring for why the checklists are left out."""
    sha = hashlib.sha256()
    code = [p for p in (project / "decision").rglob("*") if p.is_file() and "__pycache__" not in p.parts and not checklist_data(project, p)]
    for path in sorted([*code, *(project / tool for tool in ENGINE_TOOLS)]):
        sha.update(str(path.relative_to(project)).encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


def stdlib_key(project: Path) -> str:
    """The trimmed stdlib's cache folder name: `<Pyodide version>-<engine_digest[:16]>`."""
    return f"{runtime_version(project)}-{engine_digest(project)[:16]}"


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
    ModuleNotFoundError, so the tests run the engine on this very zip. `wheel` must be built from
    `project`: the cache key is the project's engine code (stdlib_key), not the wheel, whose
    checklists do not matter here. Raises RuntimeMissing if Node or the runtime fails."""
    target = cache / "stdlib" / stdlib_key(project) / "python_stdlib.zip"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
        _node(project, "stdlib", str(wheel.path), str(partial))
        partial.replace(target)
    return target


def memory_snapshot(project: Path, wheel: Wheel, stdlib: Path, cache: Path) -> Path:
    """A memory snapshot of Pyodide with the engine imported and warm, made under Node from the
    same runtime, wheel and stdlib the site ships, stored sparse. Restoring it skips the
    interpreter's start-up. It holds the engine's code and no checklist (pyodide_tools.mjs), so
    its key is the engine's code, not the wheel (snapshot_key). Raises RuntimeMissing."""
    target = cache / "snapshot" / snapshot_key(project, stdlib) / "engine.snapshot"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
        _node(project, "snapshot", str(wheel.path), str(stdlib), str(partial))
        partial.write_bytes(sparse(partial.read_bytes()))
        partial.replace(target)
    return target


def snapshot_key(project: Path, stdlib: Path) -> str:
    """The snapshot's cache folder name (16 hex digits): the Pyodide version, engine_digest, the
    stdlib's bytes and the sparse format."""
    inputs = runtime_version(project).encode() + engine_digest(project).encode() + stdlib.read_bytes() + SPARSE_MAGIC
    return hashlib.sha256(inputs).hexdigest()[:16]


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
    """runtime (a folder), wheel, stdlib, snapshot, worker -> site URI, for the checklist's HTML.
    Under `mkdocs serve` "snapshot" may be missing (see shipped_files)."""
    preparing: tuple[str, ...] = field(default=())
    """Under `mkdocs serve`: the slow files left out of this build while they are being made."""


def shipped_files(project: Path, cache: Path, *, serving: bool = False, report: Callable[[str], None] = print) -> Shipped:
    """The pinned runtime (versioned path), the wheel, the trimmed stdlib and the snapshot (hashed
    paths), `.gz` siblings of the big ones (for hosts that serve them as they are, like nginx's
    gzip_static), and Mermaid from npm.

    `serving` (`mkdocs serve`, for an author, not for readers): the trimmed stdlib and the snapshot
    are not waited for when the engine's code changed (a few seconds each under Node); the build
    ships Pyodide's full stdlib and no snapshot instead (the worker then starts the interpreter
    normally), makes them in a background thread, and touches SERVE_READY in `cache` when they
    are made, which the adapter watches: the next build ships them. `report` gets a line for the
    terminal about each. `mkdocs build` (serving False) always ships everything.
    Raises RuntimeMissing (runtime not installed, Node failed)."""
    runtime = runtime_files(project)
    runtime_uri = f"assets/pyodide/{runtime_version(project)}/"
    files: dict[str, Path | str] = {runtime_uri + name: path for name, path in runtime.items()}
    files[runtime_uri + "pyodide-lock.json"] = browser_lock(project)
    wheel = build_wheel(project, cache)
    stdlib: Path | None
    snapshot: Path | None
    preparing: tuple[str, ...] = ()
    if serving:
        stdlib, snapshot, preparing = _made_so_far(project, wheel, cache, report)
    else:
        stdlib = trimmed_stdlib(project, wheel, cache)
        snapshot = memory_snapshot(project, wheel, stdlib, cache)
    if stdlib is None:  # serving while the trimmed one is made: the runtime's own, which holds every module
        stdlib = project / "node_modules" / "pyodide" / "python_stdlib.zip"
    worker = project / WORKER_SOURCE  # hashed too: a returning reader's browser need not revalidate it
    urls = {
        "runtime": runtime_uri,
        "wheel": f"assets/wheels/{wheel.digest[:16]}/{wheel.path.name}",
        "stdlib": f"assets/stdlib/{_digest(stdlib)}/python_stdlib.zip",
        "worker": f"assets/engine/{_digest(worker)}/checklist-worker.mjs",
    }
    files.update({urls["wheel"]: wheel.path, urls["stdlib"]: stdlib, urls["worker"]: worker})
    if snapshot is not None:
        urls["snapshot"] = f"assets/snapshots/{_digest(snapshot)}/engine.snapshot"
        files[urls["snapshot"]] = snapshot
    for uri in (runtime_uri + "pyodide.asm.wasm", runtime_uri + "pyodide.asm.mjs", urls["stdlib"], urls.get("snapshot")):
        source = files.get(uri) if uri else None
        if isinstance(source, Path):
            files[uri + ".gz"] = gzip_sibling(source, cache)
    files["assets/vendor/mermaid.min.js"] = project / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
    return Shipped(files, urls, preparing)


# Under `mkdocs serve`: touched in the cache when a background preparation is done (a file the
# adapter watches, so that the server rebuilds and ships what was made).
SERVE_READY = "serve-ready"
_preparing: dict[str, threading.Thread] = {}  # stdlib_key -> the thread making its stdlib and snapshot


def _made_so_far(project: Path, wheel: Wheel, cache: Path, report: Callable[[str], None]) -> tuple[Path | None, Path | None, tuple[str, ...]]:
    """The trimmed stdlib and the snapshot if they are in the cache, else None for each missing
    one and a background thread that makes them (one per engine version at a time)."""
    key = stdlib_key(project)
    stdlib = cache / "stdlib" / key / "python_stdlib.zip"
    if stdlib.is_file():
        snapshot = cache / "snapshot" / snapshot_key(project, stdlib) / "engine.snapshot"
        if snapshot.is_file():
            return stdlib, snapshot, ()
    missing = ("snapshot",) if stdlib.is_file() else ("stdlib", "snapshot")
    running = _preparing.get(key)
    if running is None or not running.is_alive():

        def prepare() -> None:
            try:
                made = trimmed_stdlib(project, wheel, cache)
                memory_snapshot(project, wheel, made, cache)
            except RuntimeMissing as error:
                report(f"checklist engine: preparing the {' and the '.join(missing)} failed: {error}")
                return
            ready = cache / SERVE_READY
            ready.mkdir(parents=True, exist_ok=True)
            (ready / "engine").write_text(key + "\n")
            report(f"checklist engine: the {' and the '.join(missing)} for this engine code are ready; rebuilding to ship them")

        thread = threading.Thread(target=prepare, name=f"checklist-engine-{key}", daemon=True)
        _preparing[key] = thread
        thread.start()
    what = "Pyodide's full stdlib and no snapshot" if "stdlib" in missing else "no snapshot"
    report(
        f"checklist engine: the engine's code changed, so the {' and the '.join(missing)} are being made in the"
        f" background (a few seconds each); until then the page boots with {what} (slower, still correct)."
        " `make build` always ships everything."
    )
    return (stdlib if stdlib.is_file() else None), None, missing


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
