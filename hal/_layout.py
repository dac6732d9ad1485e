"""Folding a strided iteration into rows, for the row kernels of ``kernels/strided.h``.

A strided elementwise kernel that decodes every element's position with run-time
divisions and strides (``strided_offset``) cannot be vectorised by a CPU compiler:
on Intel's OpenCL CPU runtime ``u[:-2, 1:-1] + u[2:, 1:-1]`` ran 50x slower than the
same sum of contiguous arrays.  Most strided operands in real programs are slices and
broadcasts whose last axis is contiguous (step 1) or broadcast (step 0).  Folding the
iteration into at most three dimensions ``(n0, n1, inner)`` lets a kernel run as an
``(inner, n1, n0)`` launch with the last-axis steps fixed at compile time: no
divisions, and plain vector loads along rows.
"""

from __future__ import annotations

__all__ = ["rows_layout"]


def rows_layout(shape, operand_strides):
    """``(n0, n1, inner, ((s0, s1, step), ...))`` for an iteration over ``shape`` whose
    operands have ``operand_strides`` (in elements, 0 along broadcast dimensions), or
    None when the iteration does not fold into rows with every step 1 or 0.

    Dimensions of extent 1 are dropped and neighbours merged where every operand's
    strides allow it (the outer stride is the inner one times the inner extent), as
    NumPy's iterator coalesces dimensions; the result is padded to three dimensions
    on the left (extent 1, stride 0).  ``n0 * n1 * inner`` is the element count, in
    C order, so a contiguous output's position is ``(r0 * n1 + r1) * inner + j``.
    """
    k = len(operand_strides)
    folded = []  # [extent, [stride per operand]]
    for d, extent in enumerate(shape):
        if extent == 1:
            continue
        strides = [s[d] for s in operand_strides]
        if folded:
            prev = folded[-1]
            outer = prev[1]
            for j in range(k):
                if outer[j] != strides[j] * extent:
                    break
            else:
                prev[0] *= extent
                prev[1] = strides
                continue
        folded.append([extent, strides])
    if len(folded) > 3:
        return None
    if not folded:
        folded.append([1, [1] * k])
    inner, last = folded[-1]
    for s in last:
        if s != 1 and s != 0:
            return None
    while len(folded) < 3:
        folded.insert(0, [1, [0] * k])
    (n0, s0), (n1, s1) = folded[0], folded[1]
    return n0, n1, inner, tuple(zip(s0, s1, last))
