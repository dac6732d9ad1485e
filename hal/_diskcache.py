"""A small on-disk cache of compiled kernel binaries.

Entries are keyed by a hex digest the caller computes (source with includes, build
options, device identity, driver version).  Each file holds a header with the length
and SHA-256 of its payload, so a truncated or corrupted entry is detected and treated
as a miss (then rebuilt and rewritten), never trusted.  Writes go to a temporary file
first and are renamed into place, so readers never see half an entry.

``HAL_CACHE_DIR`` moves the cache; ``HAL_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import hashlib
import os
import struct

from . import _env

__all__ = ["cache_root", "enabled", "load", "store", "key"]

_MAGIC = b"HALK1\n"
_HEADER = struct.Struct("<Q32s")  # payload length, sha256 of payload


def cache_root() -> str:
    root = _env.get(_env.HAL_CACHE_DIR)
    if root:
        return root
    import platformdirs
    return platformdirs.user_cache_dir("hal", appauthor=False)


def enabled() -> bool:
    return not _env.flag(_env.HAL_NO_CACHE)


def key(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(struct.pack("<Q", len(data)))
        h.update(data)
    return h.hexdigest()


def _path(namespace: str, digest: str) -> str:
    return os.path.join(cache_root(), namespace, digest[:2], digest[2:] + ".bin")


def load(namespace: str, digest: str) -> bytes | None:
    """The payload stored under ``digest``, or ``None`` (missing, truncated, corrupt)."""
    if not enabled():
        return None
    try:
        with open(_path(namespace, digest), "rb") as f:
            blob = f.read()
    except OSError:
        return None
    head = len(_MAGIC) + _HEADER.size
    if len(blob) < head or not blob.startswith(_MAGIC):
        return None
    length, checksum = _HEADER.unpack_from(blob, len(_MAGIC))
    payload = blob[head:]
    if len(payload) != length or hashlib.sha256(payload).digest() != checksum:
        return None
    return payload


def store(namespace: str, digest: str, payload: bytes) -> bool:
    """Write an entry atomically; ``False`` (never an exception) if it cannot."""
    if not enabled():
        return False
    path = _path(namespace, digest)
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(_MAGIC)
            f.write(_HEADER.pack(len(payload), hashlib.sha256(payload).digest()))
            f.write(payload)
        os.replace(tmp, path)
        return True
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False
