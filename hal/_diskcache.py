"""A small on-disk cache of compiled kernel binaries, trusted only when it is safe.

A cached binary is code that runs on the user's device, so an entry is used only when
every check passes (anything else is a miss: the kernel is rebuilt and the entry
rewritten):

* format: each file starts with a magic line and a header (format version, the full
  key it was written for, the payload's length, a SHA-256 of key and payload); a
  truncated, bit-flipped, empty, wrong-checksum or other-key (another device's,
  another driver's) entry is removed and rebuilt, never loaded;
* trust: the cache directory must be the user's own and not writable by group or
  others (nor sit under a directory others can rename it in), and so must each
  entry.  Otherwise hal loads nothing from it and says why, once, with a
  :class:`~hal.HalCacheWarning` naming the path, the problem and the fix (as JAX
  documents, a shared compilation cache is trusted code).  The directory hal creates
  is ``0700``, its entries ``0600``;
* writes: a temporary file in the same directory, fsynced, then ``os.replace``d into
  place.  No locks: concurrent writers of one key each write a whole entry and the
  last rename wins, and a writer killed mid-write leaves at most a ``.tmp-`` file
  that no reader looks at (and the next writer there removes once it is old);
* a read-only or full disk (or any directory hal may not write) stops the writes for
  the rest of the process with one warning; entries already there are still loaded
  and kernels still compile.

``HAL_CACHE_DIR`` moves the cache; ``HAL_NO_CACHE=1`` turns it off.  Nothing here is
on the per-op path: it runs when a kernel is built, once per process and kernel.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import struct
import tempfile
import threading
import time
import warnings

from . import _env
from ._errors import HalCacheWarning

__all__ = ["cache_root", "enabled", "load", "store", "key", "private_dir"]

_MAGIC = b"HALKC\n"
_VERSION = 2
# format version, key length, payload length, sha256 of key + payload
_HEADER = struct.Struct("<HIQ32s")
_PREFIX = len(_MAGIC) + _HEADER.size
_TMP = ".tmp-"
_STALE_TMP_SECONDS = 600  # a writer that long gone was killed: its temp file is litter

# errors that mean "this disk or directory takes no writes": stop trying
_UNWRITABLE = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOTDIR,
               errno.EEXIST, errno.EDQUOT, errno.EFBIG}

_lock = threading.Lock()
_roots: dict[str, str] = {}       # cache root -> why it is not trusted ("" = trusted)
_no_writes: dict[str, str] = {}   # cache root -> why hal stopped writing to it
_warned: set[tuple[str, str]] = set()


def cache_root() -> str:
    root = _env.get(_env.HAL_CACHE_DIR)
    if root:
        return os.path.abspath(root)
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


# -- the entry format ------------------------------------------------------------------

def _full_key(namespace: str, digest: str) -> bytes:
    return f"{namespace}/{digest}".encode()


def encode(namespace: str, digest: str, payload: bytes) -> bytes:
    """The bytes of an entry holding ``payload`` under ``namespace``/``digest``."""
    full = _full_key(namespace, digest)
    checksum = hashlib.sha256(full + payload).digest()
    return _MAGIC + _HEADER.pack(_VERSION, len(full), len(payload), checksum) + full + payload


def decode(namespace: str, digest: str, blob: bytes) -> tuple[bytes | None, str]:
    """``(payload, "")`` if ``blob`` is a sound entry for this key, else ``(None, why)``."""
    if len(blob) < _PREFIX:
        return None, "truncated" if blob else "empty"
    if not blob.startswith(_MAGIC):
        return None, "not a hal cache entry"
    version, key_len, length, checksum = _HEADER.unpack_from(blob, len(_MAGIC))
    if version != _VERSION:
        return None, f"format version {version}, not {_VERSION}"
    full = blob[_PREFIX:_PREFIX + key_len]
    payload = blob[_PREFIX + key_len:]
    if len(full) != key_len or len(payload) != length:
        return None, "truncated or padded"
    if hashlib.sha256(full + payload).digest() != checksum:
        return None, "checksum mismatch"
    if full != _full_key(namespace, digest):
        return None, "written for another key (device, driver or source)"
    return payload, ""


def _path(root: str, namespace: str, digest: str) -> str:
    return os.path.join(root, namespace, digest[:2], digest[2:] + ".bin")


# -- trust -------------------------------------------------------------------------------

def _warn(root: str, kind: str, message: str) -> None:
    with _lock:
        if (root, kind) in _warned:
            return
        _warned.add((root, kind))
    warnings.warn(message, HalCacheWarning, stacklevel=3)


def _owner(uid: int) -> str:
    try:
        import pwd
        return f"uid {uid} ({pwd.getpwuid(uid).pw_name})"
    except (ImportError, KeyError):
        return f"uid {uid}"


def _untrusted(path: str, st: os.stat_result, *, is_dir: bool) -> tuple[str, str]:
    """``(problem, fix)`` if ``path`` (stat ``st``) may not be trusted, else ``("", "")``."""
    me = os.geteuid()
    if is_dir and not stat.S_ISDIR(st.st_mode):
        return "is not a directory", "point HAL_CACHE_DIR at a directory"
    if not is_dir and not stat.S_ISREG(st.st_mode):
        return "is not a regular file", f"remove it: rm {path}"
    if st.st_uid != me:
        return (f"is owned by {_owner(st.st_uid)}, not by you ({_owner(me)})",
                f"use a cache directory of your own: set HAL_CACHE_DIR (or chown -R "
                f"{me} {path})")
    if st.st_mode & 0o022:
        who = " and ".join(w for w, bit in (("group", 0o020), ("others", 0o002))
                           if st.st_mode & bit)
        return (f"is writable by {who} (mode {stat.S_IMODE(st.st_mode):04o})",
                f"chmod go-w {path}")
    return "", ""


def _ancestors_problem(root: str) -> tuple[str, str, str]:
    """A directory above ``root`` in which another user could swap ``root`` out."""
    me = os.geteuid()
    path = os.path.dirname(root)
    while True:
        try:
            st = os.stat(path)
        except OSError:
            return "", "", ""
        if st.st_uid not in (0, me):
            return (path, f"is owned by {_owner(st.st_uid)}, who can replace the cache "
                    f"inside it", "move the cache under a directory of your own")
        if st.st_mode & 0o002 and not st.st_mode & stat.S_ISVTX:
            return (path, "is writable by others (and not sticky), who can replace the "
                    "cache inside it", f"chmod +t {path} (or o-w)")
        parent = os.path.dirname(path)
        if parent == path:
            return "", "", ""
        path = parent


def _check_root(root: str) -> str:
    """Create ``root`` (0700) if needed and decide, once per process, whether to trust
    it; ``""`` when trusted, else the reason (warned about once)."""
    problem = _roots.get(root)
    if problem is not None:
        return problem
    try:
        os.makedirs(root, mode=0o700, exist_ok=True)
        st = os.stat(root)
    except OSError as exc:
        problem = f"cannot be created ({exc.strerror})"
        _stop_writes(root, root, exc)
    else:
        where = root
        reason, fix = _untrusted(root, st, is_dir=True)
        if not reason:
            where, reason, fix = _ancestors_problem(root)
        if reason:
            problem = f"{where} {reason}"
            said = f"it {reason}" if where == root else problem
            _warn(root, "root", (
                f"hal's kernel cache {root} is not trusted: {said}. A cached "
                f"kernel binary is code that runs on your device, so hal neither loads "
                f"nor writes binaries there and compiles every kernel instead. Fix: "
                f"{fix}, or set HAL_CACHE_DIR to a directory only you can write "
                f"(HAL_NO_CACHE=1 turns the cache off)."))
    with _lock:
        _roots[root] = problem or ""
    return problem or ""


def _stop_writes(root: str, path: str, exc: OSError) -> None:
    with _lock:
        if root in _no_writes:
            return
        _no_writes[root] = f"{path}: {exc.strerror}"
    _warn(root, "writes", (
        f"hal's kernel cache cannot be written ({path}: {exc.strerror}, errno "
        f"{errno.errorcode.get(exc.errno, exc.errno)}); hal stops writing kernel "
        f"binaries for the rest of this process (kernels still compile, entries already "
        f"there are still used). Fix: free space or make {root} writable, or set "
        f"HAL_CACHE_DIR to a writable directory (HAL_NO_CACHE=1 silences this)."))


def _makedirs(root: str, path: str) -> None:
    """Create ``path`` and every directory between it and ``root`` with mode 0700
    (``os.makedirs`` gives its mode to the last one only)."""
    if os.path.isdir(path):
        return
    parent = os.path.dirname(path)
    if parent != root and parent != path:
        _makedirs(root, parent)
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        if not os.path.isdir(path):
            raise


def private_dir(name: str) -> str | None:
    """A subdirectory ``name`` of the cache root that only this user can write
    (created ``0700``), or ``None`` when the cache is off or not trusted: for other
    files hal keeps next to its kernels (the ICD file, SYCL's JIT cache)."""
    if not enabled():
        return None
    root = cache_root()
    if _check_root(root):
        return None
    path = os.path.join(root, name)
    try:
        _makedirs(root, path)
        st = os.stat(path)
    except OSError as exc:
        _stop_writes(root, path, exc)
        return None
    reason, fix = _untrusted(path, st, is_dir=True)
    if reason:
        _warn(root, "dir:" + path, f"hal's cache directory {path} is not trusted: it "
              f"{reason}; hal does not use it. Fix: {fix}.")
        return None
    return path


# -- load and store -------------------------------------------------------------------

def load(namespace: str, digest: str) -> bytes | None:
    """The payload stored under ``digest``, or ``None``: missing, untrusted, or not a
    sound entry for this key (then removed, so the rebuild rewrites it)."""
    if not enabled():
        return None
    root = cache_root()
    if _check_root(root):
        return None
    path = _path(root, namespace, digest)
    for directory in (os.path.dirname(os.path.dirname(path)), os.path.dirname(path)):
        try:
            st = os.lstat(directory)
        except OSError:
            return None  # not there yet: a miss
        reason, fix = _untrusted(directory, st, is_dir=True)
        if reason:
            _warn(root, "dir:" + directory, f"hal's kernel cache directory {directory} is "
                  f"not trusted: it {reason}; hal loads no kernel binary from it. Fix: "
                  f"{fix}.")
            return None
    try:
        # O_NOFOLLOW: a symlink planted in place of an entry is refused, not followed
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        reason, fix = _untrusted(path, st, is_dir=False)
        if reason:
            _warn(root, "entry", f"hal's kernel cache entry {path} is not trusted: it "
                  f"{reason}. hal removes it and compiles the kernel again (a cached "
                  f"binary is code that runs on your device); if this comes back, check "
                  f"who writes to {root}. Fix: {fix}.")
            _remove(path, st)
            return None
        with os.fdopen(os.dup(fd), "rb") as f:
            blob = f.read()
    except OSError:
        return None
    finally:
        os.close(fd)
    payload, _why = decode(namespace, digest, blob)
    if payload is None:
        _remove(path, st)
    return payload


def _remove(path: str, st: os.stat_result) -> None:
    """Remove a bad entry, unless another process has just replaced it with a new one."""
    try:
        now = os.lstat(path)
        if (now.st_ino, now.st_dev) == (st.st_ino, st.st_dev):
            os.unlink(path)
    except OSError:
        pass


def store(namespace: str, digest: str, payload: bytes) -> bool:
    """Write an entry atomically; ``False`` (never an exception) if it cannot."""
    if not enabled():
        return False
    root = cache_root()
    if _check_root(root) or root in _no_writes:
        return False
    path = _path(root, namespace, digest)
    directory = os.path.dirname(path)
    tmp = None
    try:
        _makedirs(root, directory)
        # a unique name per writer (mkstemp: 0600, O_EXCL), in the entry's directory so
        # the rename is atomic; fsync first so a crash never leaves a renamed, empty file
        fd, tmp = tempfile.mkstemp(prefix=_TMP, dir=directory)
        with os.fdopen(fd, "wb") as f:
            f.write(encode(namespace, digest, payload))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        if exc.errno in _UNWRITABLE:
            _stop_writes(root, directory, exc)
        return False
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    _sweep(directory)
    return True


def _sweep(directory: str) -> None:
    """Remove temp files of writers that were killed mid-write (old ones only: a young
    one may belong to a writer still at work)."""
    cutoff = time.time() - _STALE_TMP_SECONDS
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.name.startswith(_TMP) and entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
    except OSError:
        pass


def _forget() -> None:
    """Forget every verdict and warning of this process (tests)."""
    with _lock:
        _roots.clear()
        _no_writes.clear()
        _warned.clear()
