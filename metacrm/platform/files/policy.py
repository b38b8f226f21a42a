"""What an upload may be: its size limit, a clean file name, and a content type its bytes agree with.

Pure functions, so the rules are specified in unit tests without a database.
The content type is never taken from the client: it is sniffed from the bytes
(``filetype``'s magic numbers) and checked against the name's extension, so a
PDF cannot arrive as ``photo.png`` and an executable cannot hide behind
``.txt``. Whatever the type, downloads are attachments unless the type is a
plain raster image (``INLINE_TYPES``), and always ``nosniff``.
"""

from __future__ import annotations

import mimetypes
import os
import re
import unicodedata
from typing import Mapping

import filetype

from ..errors import PlatformError, Unprocessable

DEFAULT_MAX_MB = 10
MAX_NAME = 200
FALLBACK_NAME = "file"
OCTET_STREAM = "application/octet-stream"
#: Served inline (shown in the browser) only these: raster images cannot run script.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
#: Types whose files always start with magic bytes ``filetype`` knows: a name claiming one of them
#: for bytes without that signature is lying.
SIGNED_TYPES = frozenset(t.mime for t in filetype.types)
#: Containers: a sniffed zip is fine for any of these names (Office, OpenDocument, EPUB, Java archives).
ZIP_BASED = ("application/vnd.openxmlformats-officedocument.", "application/vnd.oasis.opendocument.",
             "application/epub+zip", "application/java-archive", "application/x-zip-compressed")
#: Same thing, two spellings (what ``mimetypes`` says vs what ``filetype`` sniffs).
ALIASES = {"audio/x-wav": "audio/wav", "image/x-ms-bmp": "image/bmp", "audio/mpeg3": "audio/mpeg",
           "application/x-zip-compressed": "application/zip", "audio/x-flac": "audio/flac"}
UNSAFE_NAME_CHARS = re.compile(r'[<>:"|?*]')
SNIFF_BYTES = 8192


class FileRejected(Unprocessable):
    """The upload is not acceptable (no name, empty, content not matching the name); nothing was stored."""

    type_slug = "file-rejected"


class FileTooLarge(PlatformError):
    status, title, type_slug = 413, "Content too large", "file-too-large"


def max_upload_bytes(environ: Mapping[str, str] = os.environ) -> int:
    """``METACRM_MAX_UPLOAD_MB`` (default 10) in bytes; a bad value is a configuration error, said at once."""
    raw = environ.get("METACRM_MAX_UPLOAD_MB", "").strip()
    try:
        megabytes = float(raw) if raw else DEFAULT_MAX_MB
    except ValueError:
        raise ValueError(f"METACRM_MAX_UPLOAD_MB must be a number of megabytes (got {raw!r})") from None
    if megabytes <= 0:
        raise ValueError(f"METACRM_MAX_UPLOAD_MB must be more than 0 (got {raw!r})")
    return int(megabytes * 1024 * 1024)


def clean_name(name: str) -> str:
    """A file name safe to store and to send back in ``Content-Disposition``.

    Keeps the last path part only, drops control and format characters (a right-to-left override
    would show ``gpj.exe`` as ``exe.jpg``), replaces characters no file system takes, trims spaces
    and dots, and shortens long names while keeping the extension. Non-ASCII letters stay.
    """
    name = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = " ".join(UNSAFE_NAME_CHARS.sub("_", name).split()).strip(" .")
    if not name:
        return FALLBACK_NAME
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        ext = ext if dot and len(ext) <= 16 else ""
        name = (stem if ext else name)[:MAX_NAME - len(ext) - 1].rstrip(" .") + ("." + ext if ext else "")
    return name


def type_by_name(name: str) -> str | None:
    found = mimetypes.guess_type(name, strict=False)[0]
    return ALIASES.get(found, found) if found else None


def content_type(name: str, data: bytes) -> str:
    """The type to store for ``data`` named ``name``, or :class:`FileRejected` when they disagree."""
    head = data[:SNIFF_BYTES]
    sniffed = filetype.guess_mime(head)
    sniffed = ALIASES.get(sniffed, sniffed) if sniffed else None
    named = type_by_name(name)
    if sniffed is not None:
        if named is None or named == sniffed:
            return sniffed
        if sniffed == "application/zip" and named.startswith(ZIP_BASED):
            return named
        raise FileRejected(f'"{name}" is named as {named} but its content is {sniffed}; '
                           "rename it with the right extension", code="type_mismatch")
    if named in SIGNED_TYPES:
        raise FileRejected(f'"{name}" is named as {named} but its content is not; '
                           "the file may be damaged or renamed", code="type_mismatch")
    if named is not None and named.startswith("text/") and b"\x00" in head:
        raise FileRejected(f'"{name}" is named as text but holds binary content', code="type_mismatch")
    return named or OCTET_STREAM


def disposition(content_type_: str) -> str:
    """``inline`` only for raster images; everything else downloads (HTML, SVG and PDF never render here)."""
    return "inline" if content_type_ in INLINE_TYPES else "attachment"
