"""Security and caching headers for static hosts, written into the built site as `_headers`
(Netlify, Cloudflare Pages); the README shows the same policy for nginx. Plain functions."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

__all__ = ["IMMUTABLE_PATHS", "content_security_policy", "headers_file", "inline_script_hashes", "with_policy_meta"]

# Executable inline scripts: no type, or a JavaScript type (JSON data blocks are not run).
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.DOTALL | re.IGNORECASE)
_DATA_TYPE = re.compile(r"""\btype=["']?(?!text/javascript|module|application/javascript)""", re.IGNORECASE)

# Versioned or content-hashed: safe to cache for a year (Material's stylesheets carry hashes too).
IMMUTABLE_PATHS = ("/assets/pyodide/*", "/assets/wheels/*", "/assets/stdlib/*", "/assets/snapshots/*", "/assets/engine/*", "/assets/stylesheets/*")


def inline_script_hashes(site_dir: Path) -> list[str]:
    """CSP source expressions ('sha256-…') for every distinct inline script in the site's pages."""
    hashes = set()
    for page in site_dir.rglob("*.html"):
        for match in _INLINE_SCRIPT.finditer(page.read_text(encoding="utf-8")):
            if _DATA_TYPE.search(match["attrs"]):
                continue
            digest = hashlib.sha256(match["body"].encode("utf-8")).digest()
            hashes.add(f"'sha256-{base64.b64encode(digest).decode()}'")
    return sorted(hashes)


def content_security_policy(script_hashes: Iterable[str], *, in_meta: bool = False) -> str:
    """Nothing from other origins; Pyodide needs only 'wasm-unsafe-eval' (no 'unsafe-eval').
    Inline styles stay allowed: Material and Mermaid's SVGs set style attributes. `in_meta`
    leaves out what a <meta> policy may not carry (frame-ancestors)."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'wasm-unsafe-eval'", *script_hashes],
        "worker-src": ["'self'"],
        "connect-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    if in_meta:
        del directives["frame-ancestors"]
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def headers_file(policy: str, base_path: str = "/") -> str:
    """The `_headers` file: the policy and privacy headers on every path, long caching on
    versioned assets. `base_path` is where the site is published (e.g. /guides/decide/)."""
    base = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
    lines = [
        f"{base}*",
        f"  Content-Security-Policy: {policy}",
        "  Referrer-Policy: no-referrer",
        "  X-Content-Type-Options: nosniff",
        "  Permissions-Policy: camera=(), microphone=(), geolocation=()",
        "",
    ]
    for path in IMMUTABLE_PATHS:
        lines += [base.rstrip("/") + path, "  Cache-Control: public, max-age=31536000, immutable", ""]
    return "\n".join(lines)


def with_policy_meta(html: str, policy: str) -> str:
    """The page with the policy as a <meta> tag first in <head>: it then holds on any host, even
    one that sends no headers (GitHub Pages). The headers file adds what a meta tag cannot."""
    tag = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    return html.replace("<head>", "<head>\n    " + tag, 1) if tag not in html else html
