"""SVG from DOT through Graphviz's ``dot`` binary (Debian package ``graphviz``).

``make run``/``make test`` install the package when they may; everything that renders a
map must still work without it, so callers catch :class:`GraphvizUnavailable` and offer
the DOT source (and their interactive view) instead.
"""

from __future__ import annotations

import shutil
import subprocess


class GraphvizUnavailable(RuntimeError):
    """``dot`` is not installed or failed; the message says which."""


def dot_binary() -> str | None:
    return shutil.which("dot")


def dot_to_svg(source: str, *, engine: str = "dot", timeout: float = 30.0) -> str:
    """Render DOT source to an SVG document string."""
    binary = dot_binary()
    if binary is None:
        raise GraphvizUnavailable("Graphviz (dot) ist nicht installiert")
    try:
        result = subprocess.run(  # noqa: S603 – fixed binary, source on stdin
            [binary, f"-K{engine}", "-Tsvg"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise GraphvizUnavailable(f"Graphviz brauchte länger als {timeout:.0f} s") from exc
    if result.returncode != 0:
        raise GraphvizUnavailable(result.stderr.decode("utf-8", "replace").strip()[:500])
    return result.stdout.decode("utf-8")


def dot_quote(text: str) -> str:
    """Quote a string as a DOT ID."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
