"""Build the decision wheel and ship it, with the pinned Pyodide runtime, into the site.

Plain functions: the MkDocs adapter (checklists.py) calls them, and so do the tests."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["RUNTIME_FILES", "RuntimeMissing", "Wheel", "build_wheel", "runtime_files", "runtime_version", "source_digest"]

# What a browser worker needs from the npm `pyodide` package (the rest is for Node or for debugging).
RUNTIME_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
_REPRODUCIBLE_EPOCH = "315532800"  # 1980-01-01: zip's earliest date, so the same source gives the same bytes


class RuntimeMissing(Exception):
    """The pinned Pyodide runtime is not installed (node_modules/pyodide)."""


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
    missing = [name for name in RUNTIME_FILES if not (source / name).is_file()]
    if missing:
        raise RuntimeMissing(f"The Pyodide runtime is missing ({source / missing[0]}): run `npm ci` (or `make setup`) to fetch it.")
    installed = json.loads((source / "package.json").read_text())["version"]
    if installed != runtime_version(project):
        raise RuntimeMissing(f"node_modules has Pyodide {installed}, package.json pins {runtime_version(project)}: run `npm ci`.")
    return {name: source / name for name in RUNTIME_FILES}
