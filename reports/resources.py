"""What the parsed report may refer to: local figure files only, never the network.

Rendering runs pandoc with ``--sandbox``: its readers and writers read no file but those named on
its command line and fetch nothing. So the figures reach pandoc inside the document tree:
:func:`embed_images` replaces every local image path by a ``data:`` URI (DOCX; the HTML gets
short stand-ins from :func:`stand_in_images`, replaced by those URIs in the file pandoc wrote), while
typst, which reads its own files and has no network access, keeps the paths. Before anything is
rendered, :func:`refuse_remote` stops a report whose document names a remote resource (an image
at ``http://…``, ``//host/…``, ``file:`` …) with one line naming the file and the text.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import re
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from project.errors import RenderError

_SCHEME = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:|//|\\\\)")


def _images(node: Any) -> Iterator[list[Any]]:
    """Every image's ``[url, title]`` pair in a pandoc JSON tree (metadata included)."""
    if isinstance(node, dict):
        if node.get("t") == "Image":
            yield node["c"][2]
        for value in node.values():
            yield from _images(value)
    elif isinstance(node, list):
        for value in node:
            yield from _images(value)


def is_remote(url: str) -> bool:
    """Whether an image's address points outside the report's folder (a URL with a scheme).

    >>> is_remote("../figures/a.png"), is_remote("http://127.0.0.1/x"), is_remote("data:,x")
    (False, True, False)
    """
    return bool(_SCHEME.match(url)) and not url.startswith("data:")


def _where(url: str, markdown: Path, sources: Sequence[Path]) -> Path:
    """The file that holds ``url``: a narrative file when one does, else the Markdown."""
    for path in sources:
        try:
            if url in Path(path).read_text(encoding="utf-8-sig"):
                return Path(path)
        except OSError:
            continue
    return markdown


def refuse_remote(ast: str, markdown: Path, sources: Sequence[Path] = ()) -> None:
    """Raise :class:`RenderError` when the document names a remote resource.

    ``sources`` are the files the Markdown was assembled from (the narrative); the message names
    the one that holds the address.
    """
    for url, _title in _images(json.loads(ast)):
        if is_remote(url):
            where = _where(url, Path(markdown), sources)
            raise RenderError(
                f"{where.name}: a remote resource is not allowed in a report: {url}. "
                f"Hint: save the image in the project folder and refer to it by a relative path."
            )


def _data_uri(path: Path) -> str:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _rewrite(node: Any, change: Callable[[str], str]) -> None:
    for pair in _images(node):
        pair[0] = change(pair[0])


def embed_images(ast: str, base: Path) -> str:
    """The tree with each local image (relative to ``base``) as a ``data:`` URI."""
    tree = json.loads(ast)
    _rewrite(tree, partial(_inline, base=Path(base)))
    return json.dumps(tree, ensure_ascii=False)


def _inline(url: str, *, base: Path) -> str:
    if url.startswith("data:") or is_remote(url):
        return url
    path = Path(url) if Path(url).is_absolute() else base / url
    if not path.is_file():
        raise RenderError(
            f"{url}: the figure file does not exist. Hint: run the report again; "
            f"figures are drawn before the formats are rendered."
        )
    return _data_uri(path)


def stand_in_images(ast: str, base: Path) -> tuple[str, dict[str, str]]:
    """The tree with each local image as a short stand-in ``data:`` URI, and each stand-in's
    real ``data:`` URI (:func:`embed_images`'s), to put in the written file (:func:`fill_images`).

    pandoc's ``--embed-resources`` re-reads the whole HTML it writes: with the figures' megabytes
    inside, the 100× example took it 29 CPU s and 6 GB of memory, with stand-ins a fraction of a
    second. A stand-in is itself valid base64 (of a marker with a random token, so no text of the
    report can hold it), which pandoc passes through as it passes any ``data:`` URI.
    """
    tree = json.loads(ast)
    salt = secrets.token_hex(8)
    real: dict[str, str] = {}

    def stand_in(url: str) -> str:
        uri = _inline(url, base=Path(base))
        if uri == url:  # a data: URI already (remote ones are refused before rendering)
            return url
        kind = uri[len("data:") : uri.index(";")]
        token = base64.b64encode(f"impleval-figure-{salt}-{len(real):06d}".encode()).decode()
        real[f"data:{kind};base64,{token}"] = uri
        return f"data:{kind};base64,{token}"

    _rewrite(tree, stand_in)
    return json.dumps(tree, ensure_ascii=False), real


def fill_images(text: str, real: Mapping[str, str]) -> str:
    """``text`` (what pandoc wrote) with each stand-in of :func:`stand_in_images` replaced by its
    real ``data:`` URI."""
    for stand_in, uri in real.items():
        if stand_in not in text:
            raise RenderError(
                f"{uri[:40]}…: a figure went missing from the HTML pandoc wrote. Hint: report "
                f"this as a bug of impleval, with the pandoc version (pandoc --version)."
            )
        text = text.replace(stand_in, uri)
    return text
