"""Parameter lists of user kernels, spelled as CuPy spells them: ``"T x, raw T y, float32 z"``.

A type is a hal dtype name (or a C spelling of one: ``float``, ``double``, ``int``,
``half``), or a *placeholder*: any other identifier (``T``, ``U``), bound at each
call to the dtype of the arrays passed for it.  ``raw`` passes an input whole (the
operation indexes it itself, with ``i`` the output item) instead of element by element.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import _dtypes
from .._errors import HalValueError

_C_NAMES = {"float": "float32", "double": "float64", "half": "float16", "int": "int32",
            "long": "int64", "char": "int8", "short": "int16"}
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: names the generated kernel uses itself (``in0``, ``o1``, ``i``, ``n`` ...)
_RESERVED = re.compile(r"^(i|n|ndim|meta|(in|out|raw|s|o|k|v)\d+|in\d+_off|raw\d+_off|"
                       r"hal_.*|_in_size|_out_size)$")


@dataclass(frozen=True)
class Param:
    name: str
    type: str                       # a dtype name or a placeholder
    raw: bool = False

    @property
    def dtype(self):
        """The fixed dtype, or ``None`` for a placeholder."""
        return _dtypes.BY_NAME.get(self.type)


def parse(kernel: str, what: str, text: str, *, allow_raw: bool = True) -> tuple[Param, ...]:
    params = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        words = part.split()
        raw = words[0] == "raw"
        if raw:
            words = words[1:]
        if len(words) != 2:
            raise HalValueError(f"{kernel}: {what} parameter {part!r} is not "
                                f"'[raw] <type> <name>' (e.g. 'T x' or 'float32 y')")
        type_, name = words
        type_ = _C_NAMES.get(type_, type_)
        if not _IDENT.match(type_) or not _IDENT.match(name):
            raise HalValueError(f"{kernel}: {what} parameter {part!r}: type and name must "
                                f"be identifiers")
        if _RESERVED.match(name):
            raise HalValueError(f"{kernel}: parameter name {name!r} is used by the kernel "
                                f"hal generates; choose another")
        if raw and not allow_raw:
            raise HalValueError(f"{kernel}: {what} parameters cannot be raw")
        params.append(Param(name, type_, raw))
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise HalValueError(f"{kernel}: repeated parameter name in {text!r}")
    return tuple(params)


def check_unique(kernel: str, ins, outs) -> None:
    clash = {p.name for p in ins} & {p.name for p in outs}
    if clash:
        raise HalValueError(f"{kernel}: {sorted(clash)} named as both input and output")
