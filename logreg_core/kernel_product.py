"""q = K @ v for a symmetric K, reading only its upper triangle, for several v at a time.

A kernel-form step is one product K @ v with K = XᵀX of shape (m, m). Past a
thousand examples or so K no longer fits in cache and the product is bound by
memory: every step reads all m² floats. Two facts cut that:

* K is symmetric. Rows ``i0:i1`` of its upper triangle give both
  ``q[i0:i1] += K[i0:i1, i0:] @ v[i0:]`` and, read again while still in
  cache, ``q[i1:] += K[i0:i1, i1:]ᵀ @ v[i0:i1]``: half of K comes from memory.
* Runs that share K (raw pixels and pixels / 255, or one scaling at several
  learning rates) use each block for all their vectors while it is in cache:
  K is read once per step for all of them.

Every vector goes through the same BLAS calls in the same order whether it is
computed alone or with others, so a run gets the same numbers to the last bit
either way. They differ from ``K @ v`` only by rounding (another order of
summation). Below ``BLOCKED_MIN_EXAMPLES`` examples K fits in cache and the
product is the single call ``K @ v``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .checks import check_int, check_positive_int

__all__ = ["BLOCKED_MIN_EXAMPLES", "BLOCK_ROWS", "ProductPlan", "ProductWork", "plan_for", "symmetric_products"]

#: Rows of K per block: 64 rows × 4000 floats = 2 MB, one core's L2 cache (fastest measured on one BLAS thread).
BLOCK_ROWS = 64
#: Below this many examples K (8 MB) stays in cache and one ``K @ v`` call is fastest.
BLOCKED_MIN_EXAMPLES = 1024


@dataclass(frozen=True)
class ProductPlan:
    """How q = K @ v is computed for an (m, m) kernel.

    Attributes
    ----------
    m : int
    block : int or None
        Rows per block of the upper triangle; None computes ``K @ v`` in one BLAS call.
    """

    m: int
    block: int | None


def plan_for(m: int, block: int | None = None) -> ProductPlan:
    """The plan for an (m, m) kernel.

    Parameters
    ----------
    m : int
        Number of training examples, ≥ 1.
    block : int or None, default None
        Rows per block. None picks ``BLOCK_ROWS`` from ``BLOCKED_MIN_EXAMPLES``
        examples on and the single call below; 0 always uses the single call.

    Returns
    -------
    plan : ProductPlan
    """
    m = check_positive_int("m", m)
    if block is None:
        block = BLOCK_ROWS if m >= BLOCKED_MIN_EXAMPLES else 0
    block = check_int("block", block, 0)
    return ProductPlan(m, block if 0 < block < m else None)


class ProductWork:
    """Scratch arrays of one vector's blocked products (one per run, reused every step).

    Parameters
    ----------
    plan : ProductPlan
    """

    def __init__(self, plan: ProductPlan) -> None:
        self.plan = plan
        self.row = np.empty(plan.block or 0)  # K[i0:i1, i0:] @ v[i0:]
        self.col = np.empty(plan.m if plan.block else 0)  # K[i0:i1, i1:]ᵀ @ v[i0:i1]


Job = tuple[np.ndarray, np.ndarray, ProductWork]


def symmetric_products(K: np.ndarray, jobs: Sequence[Job]) -> None:
    """out = K @ v for every ``(v, out, work)`` in ``jobs``, each block of K read once for all of them.

    Parameters
    ----------
    K : ndarray of shape (m, m)
        Symmetric: only its upper triangle is read when the plan has blocks.
    jobs : sequence of (v, out, work)
        v and out of shape (m,), distinct arrays; work a :class:`ProductWork`,
        one plan for all.
    """
    if not jobs:
        return
    plan = jobs[0][2].plan
    if K.shape != (plan.m, plan.m) or any(work.plan != plan for _, _, work in jobs):
        raise ValueError(f"every job must have the plan for K of shape {K.shape}; got {plan}")
    block, m = plan.block, plan.m
    if block is None:
        for v, out, _ in jobs:
            np.dot(K, v, out=out)
        return
    for _, out, _ in jobs:
        out.fill(0.0)
    for i0 in range(0, m, block):
        i1 = min(i0 + block, m)
        upper = K[i0:i1, i0:]  # the block's rows of the upper triangle, diagonal block included
        right = K[i0:i1, i1:]
        for v, out, work in jobs:
            part = work.row[: i1 - i0]
            np.matmul(upper, v[i0:], out=part)  # np.dot with out= copies a strided block: 2× slower
            out[i0:i1] += part
            if i1 < m:
                col = work.col[: m - i1]
                np.matmul(v[i0:i1], right, out=col)
                out[i1:] += col
