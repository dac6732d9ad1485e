"""Adversarial arguments for hal's public API, and the fuzz campaign that feeds them.

Every generated argument is a Python *expression* (a string), evaluated in the child
just before the call.  The same text is the finding's reproduction, so a finding always
comes with a line that can be pasted after ``REPRO_PREAMBLE`` and rerun.

Strategies are chosen per parameter *name* (``PARAMS``: x/x1/x2 are arrays, axis is an
axis, shape a shape ...), read from each function's ``inspect.signature``; an unknown
name gets ``junk`` (wrong types, None, strings, extreme integers).  Every parameter also
sometimes gets junk, because a wrong type must give a hal error too.

The campaign (``run_campaign``) runs in a child process (tests/reliability/test_fuzz.py):
an outcome is either a result or a ``hal.HalError``; any other exception is a finding.
A per-call ``faulthandler`` watchdog turns a hang into a crash the parent sees, and the
child writes the call in progress to a file first, so the parent can name the call that
killed it and resume after it.
"""

from __future__ import annotations

import faulthandler
import inspect
import json
import math
import operator
import os
import time
import warnings
import zlib

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

#: what a reproduction line needs in scope
REPRO_PREAMBLE = "import operator, numpy, hal; from math import nan, inf"

DTYPES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
          "uint64", "float16", "float32", "float64", "complex64", "complex128")

#: integers at and past every boundary a backend might store them in
EXTREME_INTS = (0, 1, -1, 2, 3, -2, 7, 2**31 - 1, -2**31, 2**31, 2**32, 2**63 - 1,
                -2**63, 2**63, 2**64, -2**64 - 1, 10**30)
#: sizes: small, negative and far beyond any memory (a size the machine could just about
#: hold, like 2**31 float64s, is a valid request that would swap the test host)
SIZE_INTS = (0, 1, 2, 3, 7, -1, -2, 2**40, 2**62, 2**63 - 1, 2**63, 2**64, -2**63)
FLOATS = ("nan", "inf", "-inf", "0.0", "-0.0", "1.5", "-2.5", "1e308", "5e-324", "1e-40")
JUNK = ("None", "'abc'", "''", "b'x'", "1.5", "nan", "-inf", "1j", "True", "object()",
        "[]", "()", "{}", "[1, 'a']", "numpy.zeros(3)", "numpy.float64(2.0)",
        "numpy.int64(-1)", "slice(None)", "...", "hal.float32", "hal.get_device('numpy')")


def _lit(value) -> str:
    """A Python literal for a generated element (nan/inf from the preamble)."""
    if isinstance(value, complex):
        return f"complex({_lit(value.real)}, {_lit(value.imag)})"
    return repr(value)


def _elements(dtype: str) -> list:
    """Element values worth trying for a dtype: boundaries, zeros, NaN/Inf."""
    if dtype == "bool":
        return [True, False]
    if dtype.startswith(("int", "uint")):
        import numpy as np
        info = np.iinfo(dtype)
        vals = [0, 1, 2, 3, 7, int(info.max), int(info.min)]
        return vals + ([-1, -3] if info.min < 0 else [])
    if dtype.startswith("float"):
        return [0.0, -0.0, 1.0, -1.5, 2.0, 0.5, math.nan, math.inf, -math.inf, 65504.0,
                1e-8]
    return [0j, 1 + 0j, complex(0, -1), complex(1.5, 2.0), complex(math.nan, 0),
            complex(math.inf, 1), complex(0, -math.inf)]


#: shapes an array argument may have: 0-D, 0-size and small n-D
SHAPES = st.lists(st.integers(0, 4), min_size=0, max_size=4).map(tuple)


@st.composite
def arrays(draw, ctx, *, dtypes=DTYPES, shapes=SHAPES) -> str:
    """An expression building a hal Array: mostly on the device under test, sometimes on
    the other device (mixed devices), any dtype, values at the dtype's boundaries."""
    dtype = draw(st.sampled_from(dtypes))
    shape = draw(shapes)
    size = math.prod(shape)
    vals = draw(st.lists(st.sampled_from(_elements(dtype)), min_size=size, max_size=size))
    device = ctx["device"]
    if ctx["other"] and draw(st.integers(0, 9)) == 0:
        device = ctx["other"]
    body = "[" + ", ".join(_lit(v) for v in vals) + "]"
    return (f"hal.asarray(numpy.array({body}, dtype='{dtype}').reshape({shape!r}), "
            f"device='{device}')")


def junk() -> st.SearchStrategy[str]:
    # any parameter may be a size, so junk integers are sizes that cannot fit
    return st.sampled_from(JUNK) | st.sampled_from(SIZE_INTS).map(repr)


def ints() -> st.SearchStrategy[str]:
    return st.sampled_from(EXTREME_INTS).map(repr) | st.integers(-5, 5).map(repr)


def sizes() -> st.SearchStrategy[str]:
    return st.sampled_from(SIZE_INTS).map(repr)


def axes_tuple() -> st.SearchStrategy[str]:
    return st.lists(st.integers(-5, 5) | st.sampled_from((2**63, -2**63 - 1)),
                    max_size=4).map(lambda v: repr(tuple(v)))


def shapes_arg() -> st.SearchStrategy[str]:
    """A shape argument: small, 0-size, negative, huge (allocation: helper C's part)."""
    dims = st.integers(0, 4) | st.sampled_from(SIZE_INTS)
    return (st.lists(dims, max_size=4).map(lambda v: repr(tuple(v)))
            | dims.map(repr) | st.sampled_from(("[2, 3]", "(2.0,)", "('a',)", "None")))


def dtype_arg() -> st.SearchStrategy[str]:
    return (st.sampled_from(DTYPES).map(lambda d: f"hal.{d}")
            | st.sampled_from(("None", "'float32'", "numpy.float32", "numpy.dtype('int8')",
                               "int", "float", "'bogus'", "hal.Array")))


def device_arg(ctx) -> st.SearchStrategy[str]:
    choices = [repr(ctx["device"]), "None", "'bogus'", "'numpy:7'", "'opencl:99'", "3",
               "hal.get_device('numpy')"]
    if ctx["other"]:
        choices.append(repr(ctx["other"]))
    return st.sampled_from(choices)


def scalars() -> st.SearchStrategy[str]:
    return (st.sampled_from(FLOATS) | st.sampled_from(EXTREME_INTS).map(repr)
            | st.sampled_from(("True", "False", "1j", "complex(nan, inf)")))


def choice(*names: str) -> st.SearchStrategy[str]:
    return st.sampled_from(tuple(repr(n) for n in names))


def array_or_scalar(ctx):
    return st.one_of(arrays(ctx), arrays(ctx), scalars())


def array_list(ctx):
    return st.lists(arrays(ctx), max_size=3).map(lambda v: "[" + ", ".join(v) + "]")


#: parameter name -> strategy factory (ctx -> strategy of expressions)
PARAMS = {
    **{n: arrays for n in ("x", "condition", "indices", "sorter", "prepend", "append")},
    "x1": array_or_scalar, "x2": array_or_scalar,
    "min": array_or_scalar, "max": array_or_scalar, "fill_value": lambda c: scalars(),
    "arrays": array_list,
    "axis": lambda c: ints() | axes_tuple() | st.just("None"),
    "axes": lambda c: axes_tuple() | ints() | st.just("None"),
    "source": lambda c: ints() | axes_tuple(), "destination": lambda c: ints() | axes_tuple(),
    "shape": lambda c: shapes_arg(), "s": lambda c: shapes_arg(),
    "dtype": lambda c: dtype_arg(), "device": device_arg,
    **{n: lambda c: ints() for n in ("k", "offset", "shift")},
    **{n: lambda c: sizes() for n in ("n", "num", "n_rows", "n_cols", "repeats")},
    "repetitions": lambda c: st.lists(sizes(), max_size=3).map(lambda v: "(" + "".join(
        k + ", " for k in v) + ")") | sizes(),
    **{n: lambda c: st.sampled_from(("True", "False", "None", "1", "'yes'"))
       for n in ("copy", "keepdims", "descending", "stable", "endpoint", "invert",
                 "upper", "full_matrices", "include_initial")},
    **{n: lambda c: scalars() for n in ("correction", "d", "rtol")},
    # arange's bounds are sizes too (arange(2**31) would fill 16 GB)
    **{n: lambda c: st.sampled_from(FLOATS) | sizes() for n in ("start", "stop", "step")},
    "norm": lambda c: choice("backward", "ortho", "forward", "bogus"),
    "ord": lambda c: scalars() | choice("fro", "nuc", "bogus"),
    "mode": lambda c: choice("reduced", "complete", "r"),
    "side": lambda c: choice("left", "right", "middle"),
    "indexing": lambda c: choice("xy", "ij", "zz"),
    "obj": lambda c: (arrays(c) | scalars()
                      | st.sampled_from(("[[1, 2], [3]]", "[1, 2.5, 1j]", "[[True]]", "[]",
                                         "[2**64]", "[-2**63, 2**63]", "numpy.arange(6.)",
                                         "'text'", "b'bytes'", "range(4)", "[[]]",
                                         "memoryview(b'ab')"))),
    "shapes": lambda c: shapes_arg(),
    "arrays_and_dtypes": lambda c: arrays(c) | dtype_arg() | scalars(),
    "from_": lambda c: dtype_arg() | arrays(c), "to": lambda c: dtype_arg(),
    "type": lambda c: dtype_arg() | arrays(c),
    "kind": lambda c: dtype_arg() | choice("integral", "real floating", "numeric",
                                           "bogus") | st.just("('bool', hal.int8)"),
    "selector": lambda c: device_arg(c) | choice("numpy:0", "opencl:", ":", "numpy:-1"),
    "policy": lambda c: choice("error", "warn", "allow", "bogus"),
    "op": lambda c: choice("add", "sum", "linalg.inv", "nope"),
    "api_version": lambda c: choice("2024.12", "2021.12", "1999.01") | st.just("None"),
    "stream": lambda c: st.sampled_from(("None", "0", "-1", "1", "'s'")),
    "max_version": lambda c: st.sampled_from(("None", "(1, 0)", "(0, 8)", "(2, 0)", "'v'")),
    "dl_device": lambda c: st.sampled_from(("None", "(1, 0)", "(4, 0)", "(1, 5)", "'cpu'")),
    "value": array_or_scalar,
}


def _param_strategy(name: str, ctx) -> st.SearchStrategy[str]:
    """The parameter's own strategy, or (one time in eight) a wrong-typed value."""
    own = PARAMS.get(name)
    if own is None:
        return junk()
    return st.one_of(*([own(ctx)] * 7), junk())


@st.composite
def call_args(draw, sig: inspect.Signature, ctx, skip_first: bool = False):
    """(positional expressions, keyword expressions) for one call of ``sig``."""
    args, kwargs = [], {}
    params = list(sig.parameters.values())[1 if skip_first else 0:]
    gap = False  # a positional-only default was left out: later ones must be too
    for p in params:
        if p.kind is p.VAR_KEYWORD:
            continue
        if p.kind is p.VAR_POSITIONAL:
            if not gap:
                args += draw(st.lists(_param_strategy(p.name, ctx), max_size=3))
            continue
        if p.default is not p.empty and (gap and p.kind is p.POSITIONAL_ONLY
                                         or draw(st.booleans())):
            gap = gap or p.kind is p.POSITIONAL_ONLY
            continue  # leave the default
        value = draw(_param_strategy(p.name, ctx))
        if p.kind is p.POSITIONAL_ONLY or p.default is p.empty and not gap:
            args.append(value)
        else:
            kwargs[p.name] = value
    return args, kwargs


# -- targets ----------------------------------------------------------------------------

#: not fuzzed: pluggy's own markers (not hal code) and calls that change the process
#: (registering junk as a plugin would change every later call's dispatch)
EXCLUDED = {"hookimpl", "hookspec", "register_plugin", "set_default_device",
            "set_fallback_policy"}

BINARY_OPS = ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and_",
              "or_", "xor", "lshift", "rshift", "lt", "le", "eq", "ne", "gt", "ge")
INPLACE_OPS = ("iadd", "isub", "imul", "itruediv", "ifloordiv", "imod", "ipow",
               "imatmul", "iand", "ior", "ixor", "ilshift", "irshift")
UNARY = {"operator.neg": "operator.neg({})", "operator.pos": "operator.pos({})",
         "abs": "abs({})", "operator.invert": "operator.invert({})",
         "bool": "bool({})", "int": "int({})", "float": "float({})",
         "complex": "complex({})", "operator.index": "operator.index({})",
         "len": "len({})", "list": "list({})", "repr": "repr({})", "hash": "hash({})",
         "Array.T": "{}.T", "Array.mT": "{}.mT", "Array.__dlpack_device__":
         "{}.__dlpack_device__()", "numpy.asarray": "numpy.asarray({})",
         "numpy.from_dlpack": "numpy.from_dlpack({})", "hal.to_numpy": "hal.to_numpy({})"}


class Target:
    """One public callable: ``name``, how a call is written, and its arguments' strategy."""

    def __init__(self, name: str, strategy, render):
        self.name, self.strategy, self.render = name, strategy, render


def _function_target(qual: str, fn, ctx) -> Target | None:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None

    def render(drawn, qual=qual):
        args, kwargs = drawn
        parts = list(args) + [f"{k}={v}" for k, v in kwargs.items()]
        return f"{qual}({', '.join(parts)})"
    return Target(qual, call_args(sig, ctx), render)


def _key_parts(ctx):
    idx = (ints() | st.sampled_from(("None", "...", "True", "False", "1.0", "'a'", "[0, -1]",
                                     "[True, False]", "[]", "slice(None, None, 0)",
                                     "slice(-2**63, 2**63, -1)", "slice(1, None, 2)",
                                     "slice('a', 2)", "numpy.int8(1)", "numpy.array([0])"))
           | arrays(ctx, dtypes=("bool", "int64", "int8", "uint64", "float32"),
                    shapes=st.lists(st.integers(0, 3), max_size=2).map(tuple)))
    return idx | st.lists(idx, max_size=5).map(lambda v: "(" + "".join(k + ", " for k in v)
                                               + ")")


def targets(ctx) -> list[Target]:
    import hal
    out = []
    for name in sorted(set(hal.__all__) - EXCLUDED):
        obj = getattr(hal, name)
        if callable(obj) and not isinstance(obj, type) and not inspect.ismodule(obj):
            t = _function_target(f"hal.{name}", obj, ctx)
            if t:
                out.append(t)
    for mod in ("linalg", "fft"):
        m = getattr(hal, mod)
        for name in m.__all__:
            obj = getattr(m, name)
            if callable(obj) and not isinstance(obj, type):
                out.append(_function_target(f"hal.{mod}.{name}", obj, ctx))
    info = hal.__array_namespace_info__()
    for name in ("capabilities", "default_device", "default_dtypes", "dtypes", "devices"):
        out.append(_function_target(f"hal.__array_namespace_info__().{name}",
                                    getattr(info, name), ctx))
    # an operator with two Python scalars is Python's, not hal's: one side is an Array
    pair = st.tuples(arrays(ctx), array_or_scalar(ctx)) | st.tuples(scalars(), arrays(ctx))
    for opname in BINARY_OPS:
        out.append(Target(f"operator.{opname}", pair,
                          lambda d, o=opname: f"operator.{o}({d[0]}, {d[1]})"))
    lhs = st.tuples(arrays(ctx), array_or_scalar(ctx))
    for opname in INPLACE_OPS:
        out.append(Target(f"operator.{opname}", lhs,
                          lambda d, o=opname: f"operator.{o}({d[0]}, {d[1]})"))
    for name, form in UNARY.items():
        out.append(Target(name, arrays(ctx), form.format))
    out.append(Target("Array.__getitem__", st.tuples(arrays(ctx), _key_parts(ctx)),
                      lambda d: f"operator.getitem({d[0]}, {d[1]})"))
    out.append(Target("Array.__setitem__",
                      st.tuples(arrays(ctx), _key_parts(ctx), array_or_scalar(ctx)),
                      lambda d: f"operator.setitem({d[0]}, {d[1]}, {d[2]})"))
    methods = {"to_device": "device, /, *, stream=None",
               "__dlpack__": "*, stream=None, max_version=None, dl_device=None, copy=None",
               "__array_namespace__": "*, api_version=None"}
    for meth, params in methods.items():
        sig = _signature(f"self, {params}")
        out.append(Target(f"Array.{meth}",
                          st.tuples(arrays(ctx), call_args(sig, ctx, skip_first=True)),
                          lambda d, m=meth: f"{d[0]}.{m}("
                          + ", ".join(list(d[1][0]) + [f"{k}={v}" for k, v in
                                                       d[1][1].items()]) + ")"))
    return out


def _signature(params: str) -> inspect.Signature:
    namespace: dict = {}
    exec(f"def f({params}): pass", namespace)
    return inspect.signature(namespace["f"])


# -- the campaign (runs in the child) ---------------------------------------------------

def documented(exc: BaseException, target: str) -> bool:
    """Whether ``exc`` is an outcome hal documents for ``target``."""
    import hal
    if isinstance(exc, hal.HalError):
        return True
    if "dlpack" not in target:
        return False
    # the standard's own answer for an export a producer cannot make, and NumPy's
    # (the consumer's) refusal of memory that is not the host's (a oneAPI array)
    return isinstance(exc, BufferError) or (
        target == "numpy.from_dlpack" and "Unsupported device in DLTensor" in str(exc))


def run_campaign(device: str, other: str | None, *, examples: int, start: int,
                 progress: str, per_call_timeout: float) -> dict:
    """Fuzz every target from index ``start``; the report of calls, errors and findings."""
    import numpy
    import hal

    ctx = {"device": device, "other": other}
    env = {"hal": hal, "numpy": numpy, "operator": operator, "nan": math.nan,
           "inf": math.inf}
    report = {"calls": 0, "results": 0, "errors": {}, "findings": {}, "targets": 0,
              "seconds": 0.0}
    all_targets = targets(ctx)
    t0 = time.perf_counter()
    with open(progress, "w") as log:
        for index in range(start, len(all_targets)):
            target = all_targets[index]
            report["targets"] += 1
            _fuzz_target(target, index, examples, env, report, log, per_call_timeout)
    report["seconds"] = round(time.perf_counter() - t0, 2)
    report["total_targets"] = len(all_targets)
    return report


def _fuzz_target(target: Target, index: int, examples: int, env: dict, report: dict,
                 log, per_call_timeout: float) -> None:
    import hal

    @seed(zlib.crc32(target.name.encode()) + _SEED)
    @settings(max_examples=examples, database=None, deadline=None, derandomize=False,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
              print_blob=False)
    @given(target.strategy)
    def one_call(drawn):
        code = target.render(drawn)
        log.seek(0)
        log.write(json.dumps({"index": index, "target": target.name, "code": code}) + "\n")
        log.truncate()
        log.flush()
        try:
            # arguments are built outside the watchdog's "call" but inside it anyway:
            # building an array is hal code too
            faulthandler.dump_traceback_later(per_call_timeout, exit=True)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                eval(code, env)
            report["results"] += 1
        except Exception as exc:  # noqa: BLE001 - classifying every outcome is the point
            kind = f"{type(exc).__module__}.{type(exc).__qualname__}"
            report["errors"][kind] = report["errors"].get(kind, 0) + 1
            if not documented(exc, target.name):
                key = f"{target.name}: {kind}"
                found = report["findings"].setdefault(
                    key, {"count": 0, "repro": code, "message": str(exc)[:300]})
                found["count"] += 1
        finally:
            faulthandler.cancel_dump_traceback_later()
            report["calls"] += 1
            if hal.get_fallback_policy() != _POLICY[0]:
                hal.set_fallback_policy(_POLICY[0])

    one_call()


_POLICY: list[str] = []
#: HAL_FUZZ_SEED=n explores other arguments (the battery always runs seed 0)
_SEED = int(os.environ.get("HAL_FUZZ_SEED", "0"))


def main(device: str, other: str | None, examples: int, start: int, progress: str,
         per_call_timeout: float) -> None:
    """Child entry point: print the campaign's report as the last stdout line."""
    import hal
    _POLICY.append(hal.get_fallback_policy())
    report = run_campaign(device, other, examples=examples, start=start,
                          progress=progress, per_call_timeout=per_call_timeout)
    print(json.dumps(report))
