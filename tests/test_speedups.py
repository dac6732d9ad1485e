"""The C speedups (hal/_speedups.c) and the pure-Python per-op path agree.

One script runs a representative set of operations — operators, reflected and
in-place operators, comparisons, the ``__getitem__`` fast path and the other keys,
``__setitem__``, and errors — in two fresh interpreters, with and without
``HAL_NO_SPEEDUPS=1``, and prints every result (dtype, device, shape, values) or
error (class, message).  The two transcripts must be identical, and every error a
``HalError``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from _plugin_helpers import clean_env

SCRIPT = r'''
import json, math, warnings
import hal
from hal import _array
from _plugin_helpers import RestrictedPlugin

hal.register_plugin(RestrictedPlugin("restricted"), "restricted_plugin")
hal.set_fallback_policy("allow")
warnings.simplefilter("ignore", RuntimeWarning)   # 0 ** -1 and friends: NumPy noise

f = hal.asarray([1.5, -2.0, 0.0, 4.25], device="numpy")
g = hal.asarray([2.0, 0.5, -1.0, 3.0], device="numpy")
i = hal.asarray([3, -4, 0, 7], dtype=hal.int32, device="numpy")
j = hal.asarray([2, 3, 1, 5], dtype=hal.int16, device="numpy")
u = hal.asarray([1, 2, 3, 4], dtype=hal.uint8, device="numpy")
b = hal.asarray([True, False, True, False], device="numpy")
m = hal.reshape(hal.arange(12, dtype=hal.float32, device="numpy"), (3, 4))
z = hal.asarray([1 + 2j, -1j, 3, 0], device="numpy")
s0 = hal.asarray(2.5, device="numpy")
r = hal.asarray([1.0, 2.0, 3.0, 4.0], device="restricted")
r2 = hal.asarray([0.5, 0.25, 2.0, 1.0], device="restricted")


def clone(x):
    return hal.asarray(x, copy=True)


def inplace(x, op, y):
    x = clone(x)
    view = x          # the same object must see the result
    if op == "+=": x += y
    elif op == "-=": x -= y
    elif op == "*=": x *= y
    elif op == "/=": x /= y
    elif op == "//=": x //= y
    elif op == "%=": x %= y
    elif op == "**=": x **= y
    elif op == "&=": x &= y
    elif op == "|=": x |= y
    elif op == "^=": x ^= y
    elif op == "<<=": x <<= y
    elif op == ">>=": x >>= y
    elif op == "@=": x @= y
    assert view is x
    return x


def setitem(x, key, value):
    x = clone(x)
    x[key] = value
    return x


CASES = {
    # binary operators, array-array and with Python scalars
    "f+g": lambda: f + g, "f-g": lambda: f - g, "f*g": lambda: f * g,
    "f/g": lambda: f / g, "f//g": lambda: f // g, "f%g": lambda: f % g,
    "f**g": lambda: f ** g, "i+j": lambda: i + j, "i*u": lambda: i * u,
    "i&j": lambda: i & j, "i|j": lambda: i | j, "i^j": lambda: i ^ j,
    "i<<j": lambda: i << j, "i>>j": lambda: i >> j, "b&b": lambda: b & b,
    "f+1": lambda: f + 1, "f+1.5": lambda: f + 1.5, "i+1": lambda: i + 1,
    "i+1.5": lambda: i + 1.5, "i/2": lambda: i / 2, "f*True": lambda: f * True,
    "z*2j": lambda: z * 2j, "f+z": lambda: f + z, "u-1": lambda: u - 1,
    "b+i": lambda: b + i, "m@m.T": lambda: m @ m.T, "m+row": lambda: m + f,
    "s0*f": lambda: s0 * f,
    # reflected
    "1+f": lambda: 1 + f, "1-f": lambda: 1 - f, "2.0*i": lambda: 2.0 * i,
    "3/f": lambda: 3 / f, "7//i": lambda: 7 // i, "2**f": lambda: 2 ** f,
    "5%j": lambda: 5 % j, "1<<j": lambda: 1 << j, "6&i": lambda: 6 & i,
    "True|b": lambda: True | b, "1j-z": lambda: 1j - z, "2.5-s0": lambda: 2.5 - s0,
    # comparisons
    "f<g": lambda: f < g, "f<=g": lambda: f <= g, "f==g": lambda: f == g,
    "f!=g": lambda: f != g, "f>g": lambda: f > g, "f>=g": lambda: f >= g,
    "i==3": lambda: i == 3, "i<1.5": lambda: i < 1.5, "2>f": lambda: 2 > f,
    "z==z": lambda: z == z, "b==True": lambda: b == True,
    # unary
    "-f": lambda: -f, "+i": lambda: +i, "abs(f)": lambda: abs(f), "~i": lambda: ~i,
    "~b": lambda: ~b, "-z": lambda: -z, "abs(z)": lambda: abs(z),
    # in-place
    "f+=g": lambda: inplace(f, "+=", g), "f-=1": lambda: inplace(f, "-=", 1),
    "f*=2.5": lambda: inplace(f, "*=", 2.5), "f/=g": lambda: inplace(f, "/=", g),
    "f//=g": lambda: inplace(f, "//=", g), "f%=3": lambda: inplace(f, "%=", 3),
    "f**=2": lambda: inplace(f, "**=", 2), "i&=j": lambda: inplace(i, "&=", j),
    "i|=1": lambda: inplace(i, "|=", 1), "i^=j": lambda: inplace(i, "^=", j),
    "i<<=1": lambda: inplace(i, "<<=", 1), "i>>=j": lambda: inplace(i, ">>=", j),
    "i+=j": lambda: inplace(i, "+=", j), "m@=eye": lambda: inplace(
        m[:, :3], "@=", hal.eye(3, dtype=hal.float32, device="numpy")),
    "m+=row(broadcast)": lambda: inplace(m, "+=", hal.astype(f, hal.float32)),
    "view+=": lambda: (lambda x: (x[1:3].__iadd__(10.0), x)[1])(clone(f)),
    # getitem: the fast path (int, slice) and the rest
    "f[1]": lambda: f[1], "f[-1]": lambda: f[-1], "f[1:3]": lambda: f[1:3],
    "f[::2]": lambda: f[::2], "f[::-1]": lambda: f[::-1], "f[5:]": lambda: f[5:],
    "m[1]": lambda: m[1], "m[-1][2]": lambda: m[-1][2], "m[1:]": lambda: m[1:],
    "m[1,2]": lambda: m[1, 2], "m[:,1]": lambda: m[:, 1], "m[...,0]": lambda: m[..., 0],
    "m[None]": lambda: m[None], "m[:,None,1]": lambda: m[:, None, 1],
    "f[b]": lambda: f[b], "f[idx]": lambda: f[hal.asarray([3, 0, 0], device="numpy")],
    "f[[1,2]]": lambda: f[[1, 2]], "m[m>5]": lambda: m[m > 5], "s0[()]": lambda: s0[()],
    "f[True]": lambda: f[True], "m[1:,::2]": lambda: m[1:, ::2], "m[-1,...]": lambda: m[-1, ...],
    "m[(1,)]": lambda: m[(1,)], "m[1,True]": lambda: m[1, True], "m[i[0],1]": lambda: m[1, j[2]],
    # setitem
    "f[1]=9": lambda: setitem(f, 1, 9.0), "f[1:3]=g[:2]": lambda: setitem(f, slice(1, 3), g[:2]),
    "m[0]=f": lambda: setitem(m, 0, hal.astype(f, hal.float32)),
    "f[b]=0": lambda: setitem(f, b, 0.0), "i[idx]=7": lambda: setitem(
        i, hal.asarray([0, 2], device="numpy"), 7),
    "m[...,1]=-1": lambda: setitem(m, (Ellipsis, 1), -1.0),
    # setitem fast path (basic key, value of x's placement) and its neighbours
    "m[1:,1:]=m[:2,:3]": lambda: setitem(m, (slice(1, None), slice(1, None)), m[:2, :3]),
    "m[0,None]=m[1]": lambda: setitem(m, (0, None), m[1]), "f[()]=g": lambda: setitem(f, (), g),
    "E m[1]=f(f64)": lambda: setitem(m, 1, f), "f[1]=i[0]": lambda: setitem(f, 1, i[0]),
    "E f[1:]=g": lambda: setitem(f, slice(1, None), g), "E f[0]=i": lambda: setitem(f, 0, g[:2]),
    "E m[0,0,0]=m[0,0]": lambda: setitem(m, (0, 0, 0), m[0, 0]),
    "E f[1.5]=g[0]": lambda: setitem(f, 1.5, g[0]),
    # conversions
    "float(s0)": lambda: float(s0), "int(i[1])": lambda: int(i[1]),
    "bool(b[0])": lambda: bool(b[0]), "complex(z[0])": lambda: complex(z[0]),
    "index": lambda: [10, 20, 30, 40, 50][i[0]], "len(m)": lambda: len(m),
    # a device whose natives are not NumPy arrays: kernels, fallbacks, indexing
    "r+r2": lambda: r + r2, "r*2.0": lambda: r * 2.0, "2.0-r": lambda: 2.0 - r,
    "r<r2": lambda: r < r2, "-r": lambda: -r, "r[1]": lambda: r[1],
    "r[1:3]": lambda: r[1:3], "r[r>2]": lambda: r[r > 2.0],
    "r+=r2": lambda: inplace(r, "+=", r2), "r[0]=5": lambda: setitem(r, 0, 5.0),
    "r**2": lambda: r ** 2, "abs(-r)": lambda: abs(-r),
    # errors
    "E f+str": lambda: f + "a", "E str+f": lambda: "a" + f, "E f+None": lambda: f + None,
    "E f+list": lambda: f + [1.0], "E f+dev": lambda: f + r, "E r*f": lambda: r * f,
    "E f<str": lambda: f < "a", "E f==None": lambda: f == None,
    "E i+1.5 inplace": lambda: inplace(i, "+=", 1.5),
    "E f+=m": lambda: inplace(f, "+=", m), "E b+b": lambda: b + b,
    "E f&g": lambda: f & g, "E ~f": lambda: ~f, "E f<<1": lambda: f << 1,
    "E z<z": lambda: z < z, "E f+m3": lambda: f + hal.ones((3,), device="numpy"),
    "E m@f3": lambda: m @ hal.ones(3, device="numpy"),
    "E f[4]": lambda: f[4], "E f[-5]": lambda: f[-5], "E m[3]": lambda: m[3],
    "E f[1.5]": lambda: f[1.5], "E f['a']": lambda: f["a"], "E m[0,0,0]": lambda: m[0, 0, 0],
    "E f[fidx]": lambda: f[g], "E f[ridx]": lambda: f[hal.asarray([0], device="restricted")],
    "E r[4]": lambda: r[4], "E f[9]=1": lambda: setitem(f, 9, 1.0),
    "E i[0]=1.5": lambda: setitem(i, 0, 1.5), "E f[0]=r": lambda: setitem(f, 0, r[0]),
    "E float(f)": lambda: float(f), "E int(z[0])": lambda: int(z[0]),
    "E index(f[0])": lambda: [1, 2][f[0]], "E len(s0)": lambda: len(s0),
    "E hash": lambda: hash(f),
    "E i64+u64": lambda: hal.asarray([1], dtype=hal.int64, device="numpy")
    + hal.asarray([1], dtype=hal.uint64, device="numpy"),
}


def describe(value):
    if isinstance(value, hal.Array):
        host = hal.to_numpy(value)
        return ["array", value.dtype.name, str(value.device), list(value.shape),
                repr(host.tolist())]
    return ["python", type(value).__name__, repr(value)]


out = {"speedups": _array._speedups is not None,
       "array base": hal.Array.__mro__[1].__name__,
       "add is python": type(hal.Array.__dict__.get("__add__")).__name__,
       "cases": {}}
for name, case in CASES.items():
    try:
        out["cases"][name] = describe(case())
    except Exception as exc:
        out["cases"][name] = ["error", type(exc).__name__,
                              isinstance(exc, hal.HalError), str(exc)]
print(json.dumps(out))
'''


@pytest.fixture(scope="module")
def transcripts():
    here = os.path.dirname(__file__)
    procs = {
        mode: subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               env=clean_env(PYTHONPATH=here, HAL_DISABLE_PLUGINS="opencl",
                                             **extra))
        for mode, extra in (("c", {}), ("python", {"HAL_NO_SPEEDUPS": "1"}))}
    result = {}
    for mode, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, f"{mode}: {err}"
        result[mode] = json.loads(out.strip().splitlines()[-1])
    return result


def test_HAL_NO_SPEEDUPS_selects_the_pure_python_path(transcripts):
    assert transcripts["python"]["speedups"] is False
    assert transcripts["python"]["array base"] == "object"
    assert transcripts["python"]["add is python"] == "function"


def test_the_speedups_are_built_and_used(transcripts):
    # hal/_speedups.c is built in this checkout (pip install -e .); if this fails, the
    # extension did not build or import, and the suite silently ran pure Python
    assert transcripts["c"]["speedups"] is True
    assert transcripts["c"]["array base"] == "ArrayBase"


def test_the_same_cases_ran(transcripts):
    assert transcripts["c"]["cases"].keys() == transcripts["python"]["cases"].keys()
    assert len(transcripts["c"]["cases"]) > 150


@pytest.mark.parametrize("kind", ["results", "errors"])
def test_both_paths_give_identical_results_and_errors(transcripts, kind):
    c, py = transcripts["c"]["cases"], transcripts["python"]["cases"]
    names = [n for n in c if n.startswith("E ") == (kind == "errors")]
    assert names
    differ = {n: (c[n], py[n]) for n in names if c[n] != py[n]}
    assert not differ, json.dumps(differ, indent=1)


def test_results_are_results_and_errors_are_hal_errors(transcripts):
    for mode, t in transcripts.items():
        for name, got in t["cases"].items():
            if name.startswith("E "):
                assert got[0] == "error", (mode, name, got)
                assert got[2] is True, f"{mode}: {name} raised a bare {got[1]}: {got[3]}"
            else:
                assert got[0] != "error", (mode, name, got)


def test_spot_check_values(transcripts):
    cases = transcripts["c"]["cases"]
    assert cases["f+g"] == ["array", "float64", "numpy", [4], repr([3.5, -1.5, -1.0, 7.25])]
    assert cases["i+1.5"][1] == "float64"
    assert cases["b+i"][1] == "int32"
    assert cases["f[1]"] == ["array", "float64", "numpy", [], "-2.0"]
    assert cases["view+="][4] == repr([1.5, 8.0, 10.0, 4.25])
    assert cases["r+r2"] == ["array", "float32", "restricted", [4], repr([1.5, 2.25, 5.0, 5.0])]
    assert cases["r[r>2]"][4] == repr([3.0, 4.0])
    assert cases["E f+dev"][1] == "HalDeviceError" and "to_device" in cases["E f+dev"][3]
    assert cases["E f[4]"][1] == "HalIndexError"
    assert cases["E i+1.5 inplace"][1] == "HalTypeError"
