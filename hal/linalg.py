"""The Array API standard's ``linalg`` extension (``hal.linalg``)."""

from __future__ import annotations

from ._linalg_functions import (EigResult, EighResult, QRResult, SlogdetResult,
                                SVDResult, cholesky, cross, det, diagonal, eig, eigh,
                                eigvals, eigvalsh, inv,
                                linalg_matmul as matmul,
                                linalg_matrix_transpose as matrix_transpose,
                                linalg_tensordot as tensordot, linalg_vecdot as vecdot,
                                matrix_norm, matrix_power, matrix_rank, outer, pinv, qr,
                                slogdet, solve, svd, svdvals, trace, vector_norm)

__all__ = ["cholesky", "cross", "det", "diagonal", "eig", "eigh", "eigvals", "eigvalsh",
           "inv", "matmul",
           "matrix_norm", "matrix_power", "matrix_rank", "matrix_transpose", "outer",
           "pinv", "qr", "slogdet", "solve", "svd", "svdvals", "tensordot", "trace",
           "vecdot", "vector_norm", "EigResult", "EighResult", "QRResult", "SlogdetResult",
           "SVDResult"]
