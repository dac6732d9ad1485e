"""hal's kernel disk cache (hal/_diskcache.py) and kernel build failures.

The cache must never load a bad entry (truncated, bit-flipped, empty, wrong checksum,
another key's), never trust a directory or entry someone else could have written, and
keep compiling when the disk takes no writes.  A failed build must raise
``hal.KernelBuildError`` with the compiler's log and leave nothing cached.

The format, trust and disk tests need no device; the build tests run on the device
under test when its backend compiles portable kernels (OpenCL, oneAPI) and skip
otherwise.  The ownership tests chown to another uid, which only root may do.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import threading
import warnings

import pytest

import hal
from hal import _diskcache, _toolchains

NS = "test-ns"
DIGEST = _diskcache.key("a kernel", "-DT=float")
OTHER = _diskcache.key("another kernel", "-DT=float")
PAYLOAD = b"\x7fELF binary bytes " * 64


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A fresh cache root hal has not looked at yet (not created: hal creates it)."""
    root = tmp_path / "cache"
    monkeypatch.setenv("HAL_CACHE_DIR", str(root))
    monkeypatch.delenv("HAL_NO_CACHE", raising=False)
    _diskcache._forget()
    yield root
    _diskcache._forget()


def _entry(root, digest=DIGEST, namespace=NS):
    return root / namespace / digest[:2] / (digest[2:] + ".bin")


def _cache_warnings(record) -> list[str]:
    return [str(w.message) for w in record if issubclass(w.category, hal.HalCacheWarning)]


def _recording():
    catcher = warnings.catch_warnings(record=True)
    record = catcher.__enter__()
    warnings.simplefilter("always")
    return catcher, record


# -- format --------------------------------------------------------------------------

def test_round_trip_and_private_modes(cache):
    assert _diskcache.store(NS, DIGEST, PAYLOAD)
    assert _diskcache.load(NS, DIGEST) == PAYLOAD
    path = _entry(cache)
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o700  # the root hal created
    for directory in (cache / NS, path.parent):
        assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left
    assert _diskcache.load(NS, OTHER) is None


def _flip_bit(blob: bytes, at: int) -> bytes:
    return blob[:at] + bytes([blob[at] ^ 0x10]) + blob[at + 1:]


def _damage(kind: str, root) -> None:
    path = _entry(root)
    blob = path.read_bytes()
    header = len(_diskcache._MAGIC) + _diskcache._HEADER.size
    if kind == "truncated":
        blob = blob[: len(blob) // 2]
    elif kind == "truncated header":
        blob = blob[: header - 3]
    elif kind == "empty":
        blob = b""
    elif kind == "bit-flipped payload":
        blob = _flip_bit(blob, len(blob) - 7)
    elif kind == "bit-flipped key":
        blob = _flip_bit(blob, header + 3)
    elif kind == "wrong checksum":
        blob = blob[: header - 32] + bytes(32) + blob[header:]
    elif kind == "bad magic":
        blob = b"ELF\x00\x00\x00" + blob[6:]
    elif kind == "old format version":
        version = _diskcache._VERSION - 1
        blob = blob[:6] + version.to_bytes(2, "little") + blob[8:]
    elif kind == "padded":
        blob = blob + b"\x00" * 16
    elif kind == "another key's entry":
        # a sound entry for another kernel (another device, driver or source) put in
        # this key's place, as a copy or a hash collision would
        assert _diskcache.store(NS, OTHER, b"another device's binary")
        blob = _entry(root, OTHER).read_bytes()
    else:
        raise AssertionError(kind)
    path.write_bytes(blob)


FAULTS = ["truncated", "truncated header", "empty", "bit-flipped payload",
          "bit-flipped key", "wrong checksum", "bad magic", "old format version", "padded",
          "another key's entry"]


@pytest.mark.parametrize("kind", FAULTS)
def test_a_bad_entry_is_removed_and_rebuilt_never_loaded(cache, kind):
    assert _diskcache.store(NS, DIGEST, PAYLOAD)
    _damage(kind, cache)
    assert _diskcache.load(NS, DIGEST) is None
    assert not _entry(cache).exists()  # removed: the rebuild writes a sound one
    assert _diskcache.store(NS, DIGEST, PAYLOAD)
    assert _diskcache.load(NS, DIGEST) == PAYLOAD


def test_decode_names_each_fault():
    blob = _diskcache.encode(NS, DIGEST, PAYLOAD)
    assert _diskcache.decode(NS, DIGEST, blob) == (PAYLOAD, "")
    assert _diskcache.decode(NS, DIGEST, b"")[1] == "empty"
    assert _diskcache.decode(NS, DIGEST, blob[:10])[1] == "truncated"
    assert _diskcache.decode(NS, DIGEST, blob[:-1])[1] == "truncated or padded"
    assert _diskcache.decode(NS, DIGEST, _flip_bit(blob, len(blob) - 1))[1] == \
        "checksum mismatch"
    assert "another key" in _diskcache.decode(NS, OTHER, blob)[1]
    assert "another key" in _diskcache.decode("other-ns", DIGEST, blob)[1]


def test_threads_writing_one_key_leave_one_sound_entry(cache):
    payloads = [bytes([i]) * 50_000 for i in range(8)]
    barrier = threading.Barrier(len(payloads))

    def write(p):
        barrier.wait()
        for _ in range(5):
            assert _diskcache.store(NS, DIGEST, p)

    threads = [threading.Thread(target=write, args=(p,)) for p in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _diskcache.load(NS, DIGEST) in payloads
    assert [p.name for p in _entry(cache).parent.iterdir()] == [_entry(cache).name]


def test_stale_temp_files_of_killed_writers_are_swept(cache):
    assert _diskcache.store(NS, DIGEST, PAYLOAD)
    directory = _entry(cache).parent
    stale, young = directory / ".tmp-killed", directory / ".tmp-working"
    stale.write_bytes(b"half an ent")
    young.write_bytes(b"half an ent")
    old = os.stat(stale).st_mtime - 2 * _diskcache._STALE_TMP_SECONDS
    os.utime(stale, (old, old))
    assert _diskcache.store(NS, DIGEST, PAYLOAD)
    assert not stale.exists() and young.exists()
    assert _diskcache.load(NS, DIGEST) == PAYLOAD


def test_no_cache_turns_everything_off(cache, monkeypatch):
    monkeypatch.setenv("HAL_NO_CACHE", "1")
    assert not _diskcache.store(NS, DIGEST, PAYLOAD)
    assert _diskcache.load(NS, DIGEST) is None
    assert _diskcache.private_dir("sycl") is None
    assert not cache.exists()


# -- trust ---------------------------------------------------------------------------

@pytest.mark.parametrize("bits,who", [(0o020, "group"), (0o002, "others")])
def test_a_cache_dir_writable_by_others_is_not_trusted(cache, bits, who):
    assert _diskcache.store(NS, DIGEST, PAYLOAD)
    _diskcache._forget()  # a new process finds the directory opened up
    os.chmod(cache, 0o700 | bits)
    catcher, record = _recording()
    try:
        assert _diskcache.load(NS, DIGEST) is None
        assert _diskcache.load(NS, DIGEST) is None
        assert not _diskcache.store(NS, OTHER, PAYLOAD)
        assert _diskcache.private_dir("sycl") is None
    finally:
        catcher.__exit__(None, None, None)
    messages = _cache_warnings(record)
    assert len(messages) == 1, messages  # said once, not per kernel
    assert str(cache) in messages[0] and f"writable by {who}" in messages[0]
    assert f"chmod go-w {cache}" in messages[0] and "HAL_CACHE_DIR" in messages[0]
    assert _entry(cache).exists()  # left alone: not hal's to delete


needs_root = pytest.mark.skipif(os.geteuid() != 0,
                                reason="chown to another user needs root")


@needs_root
def test_a_cache_dir_owned_by_another_user_is_not_trusted(cache):
    assert _diskcache.store(NS, DIGEST, PAYLOAD)
    _diskcache._forget()
    os.chown(cache, 4242, 4242)
    catcher, record = _recording()
    try:
        assert _diskcache.load(NS, DIGEST) is None
        assert not _diskcache.store(NS, DIGEST, PAYLOAD)
    finally:
        catcher.__exit__(None, None, None)
    messages = _cache_warnings(record)
    assert len(messages) == 1, messages
    assert str(cache) in messages[0] and "owned by uid 4242" in messages[0]
    assert "HAL_CACHE_DIR" in messages[0]


@needs_root
@pytest.mark.parametrize("fault", ["owned by another user", "group-writable",
                                   "a symlink"])
def test_an_untrusted_entry_is_removed_and_rebuilt(cache, tmp_path, fault):
    assert _diskcache.store(NS, DIGEST, PAYLOAD)
    path = _entry(cache)
    if fault == "owned by another user":
        os.chown(path, 4242, 4242)
    elif fault == "group-writable":
        os.chmod(path, 0o660)
    else:
        elsewhere = tmp_path / "planted.bin"
        shutil.copy(path, elsewhere)
        path.unlink()
        path.symlink_to(elsewhere)
    catcher, record = _recording()
    try:
        assert _diskcache.load(NS, DIGEST) is None
    finally:
        catcher.__exit__(None, None, None)
    if fault != "a symlink":  # a symlink is refused by open(O_NOFOLLOW): a plain miss
        messages = _cache_warnings(record)
        assert len(messages) == 1 and str(path) in messages[0], messages
        assert not path.exists()
    assert _diskcache.store(NS, DIGEST, PAYLOAD)
    assert not path.is_symlink() and os.stat(path).st_uid == os.geteuid()
    assert _diskcache.load(NS, DIGEST) == PAYLOAD


def test_an_entry_directory_writable_by_others_is_not_trusted(cache):
    assert _diskcache.store(NS, DIGEST, PAYLOAD)
    os.chmod(_entry(cache).parent, 0o777)
    catcher, record = _recording()
    try:
        assert _diskcache.load(NS, DIGEST) is None
    finally:
        catcher.__exit__(None, None, None)
    messages = _cache_warnings(record)
    assert len(messages) == 1 and str(_entry(cache).parent) in messages[0]


def test_a_cache_under_a_directory_others_can_write_is_not_trusted(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)  # world-writable, not sticky: anyone can rename our dir
    monkeypatch.setenv("HAL_CACHE_DIR", str(shared / "cache"))
    _diskcache._forget()
    with pytest.warns(hal.HalCacheWarning, match=f"{shared} is writable by others"):
        assert not _diskcache.store(NS, DIGEST, PAYLOAD)
    os.chmod(shared, 0o1777)  # sticky, like /tmp: only the owner may rename
    _diskcache._forget()
    assert _diskcache.store(NS, DIGEST, PAYLOAD)
    _diskcache._forget()


# -- unwritable disks ----------------------------------------------------------------

def _disk_off_case(expect: str):
    catcher, record = _recording()
    try:
        for _ in range(3):
            assert not _diskcache.store(NS, DIGEST, PAYLOAD)
            assert _diskcache.load(NS, DIGEST) is None
    finally:
        catcher.__exit__(None, None, None)
    messages = _cache_warnings(record)
    assert len(messages) == 1, messages
    assert expect in messages[0] and "HAL_CACHE_DIR" in messages[0], messages[0]


def test_a_cache_path_under_a_file_turns_writes_off_once(tmp_path, monkeypatch):
    afile = tmp_path / "a-file"
    afile.write_text("not a directory")
    monkeypatch.setenv("HAL_CACHE_DIR", str(afile / "cache"))
    _diskcache._forget()
    _disk_off_case("Not a directory")
    _diskcache._forget()


def test_a_cache_path_in_proc_turns_writes_off_once(monkeypatch):
    monkeypatch.setenv("HAL_CACHE_DIR", "/proc/self/hal-cache")
    _diskcache._forget()
    _disk_off_case("hal stops writing")
    _diskcache._forget()


@pytest.fixture
def mounted(tmp_path):
    """Mount a small tmpfs (root only); yields a function taking mount options."""
    points = []

    def mount(options: str):
        point = tmp_path / f"mnt{len(points)}"
        point.mkdir()
        run = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)],
                             capture_output=True, text=True)
        if run.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({run.stderr.strip()}); the path-under-"
                        f"a-file and /proc cases still cover unwritable caches")
        points.append(point)
        return point

    yield mount
    for point in points:
        subprocess.run(["umount", str(point)], check=False)


def test_a_full_disk_turns_writes_off_once_and_keeps_loading(mounted, monkeypatch):
    disk = mounted("size=64k,mode=0700")
    monkeypatch.setenv("HAL_CACHE_DIR", str(disk / "cache"))
    _diskcache._forget()
    assert _diskcache.store(NS, DIGEST, PAYLOAD)  # fits
    catcher, record = _recording()
    try:
        assert not _diskcache.store(NS, OTHER, b"x" * 200_000)  # ENOSPC
        assert not _diskcache.store(NS, _diskcache.key("small"), b"small")  # off now
    finally:
        catcher.__exit__(None, None, None)
    messages = _cache_warnings(record)
    assert len(messages) == 1 and "No space left on device" in messages[0], messages
    assert _diskcache.load(NS, DIGEST) == PAYLOAD  # entries already there still load
    leftovers = [p for p in (disk / "cache").rglob("*") if p.is_file()]
    assert leftovers == [_entry(disk / "cache")]  # no half-written temp file
    _diskcache._forget()


def test_a_read_only_disk_turns_writes_off_once(mounted, monkeypatch):
    disk = mounted("ro,size=16k")
    monkeypatch.setenv("HAL_CACHE_DIR", str(disk / "cache"))
    _diskcache._forget()
    _disk_off_case("Read-only file system")
    _diskcache._forget()


# -- build failures through the real compilers ----------------------------------------

def _opencl_state(device):
    if device.backend != "opencl":
        pytest.skip(f"the device under test is {device}, not an OpenCL device")
    from hal_opencl._state import state_of
    return state_of(device)


_GOOD = "__kernel void hal_test_k(__global int *x) { x[0] = VALUE; }\n"


@pytest.mark.parametrize("options,expect", [
    (["-DVALUE=no_such_identifier"], "no_such_identifier"),   # a -D the source rejects
    (["-DVALUE=1", "-cl-no-such-option"], "-cl-no-such-option"),  # an unknown option
])
def test_opencl_build_failure_names_kernel_device_and_log_and_caches_nothing(
        device, cache, options, expect):
    state = _opencl_state(device)
    source = _GOOD + f"/* {expect} */\n"  # a source no other test builds
    with pytest.raises(hal.KernelBuildError) as info:
        state.build_source(source, options, "test kernel hal_test_k")
    message = str(info.value)
    assert "test kernel hal_test_k" in message and str(device) in message
    assert expect in info.value.log and "nothing was cached" in message
    assert not list((cache / "opencl").rglob("*.bin"))  # nothing stored on disk
    built = state.stats["built"]
    program = state.build_source(source, ["-DVALUE=7"], "test kernel hal_test_k")
    assert state.stats["built"] == built + 1
    assert program.kernel_names == "hal_test_k"


def test_opencl_kernel_build_failure_leaves_nothing_in_memory(device, cache):
    state = _opencl_state(device)
    broken = "HAL_DEFINE_NO_SUCH_MACRO(negative, T)"
    programs, kernels = dict(state._programs), dict(state._kernels)
    with pytest.raises(hal.KernelBuildError, match="kernel 'unary_hal_test_broken'"):
        state.kernel("elementwise.c", hal.int32, "unary_hal_test_broken", broken)
    assert state._programs == programs and state._kernels == kernels
    # the same op through hal still builds and runs
    x = hal.asarray([1, -2, 3], dtype=hal.int32, device=device)
    assert hal.to_numpy(-x).tolist() == [-1, 2, -3]


def test_opencl_damaged_entry_is_rebuilt_not_loaded(device, cache):
    state = _opencl_state(device)
    source = _GOOD + "/* damaged-entry test */\n"
    state.build_source(source, ["-DVALUE=3"], "test kernel")
    entries = list((cache / "opencl").rglob("*.bin"))
    assert len(entries) == 1
    blob = entries[0].read_bytes()
    entries[0].write_bytes(_flip_bit(blob, len(blob) // 2))
    built, loaded = state.stats["built"], state.stats["loaded"]
    state.build_source(source, ["-DVALUE=3"], "test kernel")
    assert (state.stats["built"], state.stats["loaded"]) == (built + 1, loaded)
    state.build_source(source, ["-DVALUE=3"], "test kernel")  # rewritten: loads now
    assert (state.stats["built"], state.stats["loaded"]) == (built + 1, loaded + 1)


def test_oneapi_build_failure_names_kernel_device_and_log(device):
    if device.backend != "oneapi":
        pytest.skip(f"the device under test is {device}, not a oneAPI device")
    from hal_oneapi import _programs
    with pytest.raises(hal.KernelBuildError) as info:
        _programs.build(device.index, "test kernel hal_test_k", _GOOD,
                        ["-DVALUE=no_such_identifier"])
    message = str(info.value)
    assert "test kernel hal_test_k" in message and str(device) in message
    assert "no_such_identifier" in info.value.log
    program = _programs.build(device.index, "test kernel hal_test_k", _GOOD, ["-DVALUE=2"])
    assert program.has_kernel("hal_test_k")


# -- offline toolchains (NVRTC, hipcc) -------------------------------------------------

def test_a_missing_nvrtc_says_how_to_install_it():
    try:
        _toolchains.nvrtc_version()
    except _toolchains.ToolchainMissing as exc:
        assert isinstance(exc, hal.KernelBuildError)
        assert 'pip install -e ".[nvrtc]"' in str(exc)
    else:
        pytest.skip("NVRTC is installed here: nothing is missing")


def test_a_missing_hipcc_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setenv("HIPCC", str(tmp_path / "no-such-hipcc"))
    with pytest.raises(_toolchains.ToolchainMissing, match="apt-get install hipcc"):
        _toolchains.hipcc_path()
    monkeypatch.delenv("HIPCC")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(hal.KernelBuildError, match="hipcc is not installed; install it"):
        _toolchains.compile_hip("", (), "gfx90a", "k")


def test_a_crashing_compiler_is_a_build_error(monkeypatch, tmp_path):
    # a compiler that dies of SIGSEGV, as a broken hipcc does: hal reports the crash
    crasher = tmp_path / "hipcc"
    crasher.write_text("#!/bin/sh\necho 'clang: internal error' >&2\nkill -SEGV $$\n")
    crasher.chmod(0o755)
    monkeypatch.setenv("HIPCC", str(crasher))
    _toolchains._has_device_library.cache_clear()
    try:
        with pytest.raises(_toolchains.CompileError) as info:
            _toolchains.compile_hip("__global__ void k() {}", (), "gfx90a", "k")
    finally:
        _toolchains._has_device_library.cache_clear()
    assert "crashed (killed by SIGSEGV)" in str(info.value)
    assert "clang: internal error" in str(info.value)
    assert isinstance(info.value, hal.KernelBuildError)
