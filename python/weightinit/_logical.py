"""The layout rule shared by weightinit.jax and weightinit.keras: a weight is
filled as the same *logical* tensor PyTorch would hold, then transposed
into the framework's layout.

PyTorch's layout, (out, in, kernel…), is the canonical one: the CLI's
default, the C ABI's WEIGHTINIT_LAYOUT_TORCH, and the order in which the
stream's values are numbered. A JAX or Keras weight whose axes are
`in_axes`, `out_axes`, `batch_axes` (and the rest, the receptive field) is
filled as the canonical tensor of axes

    batch axes…, out axes…, in axes…, receptive axes…

(each group in its own order) and returned transposed to its own shape. So
a Dense kernel (in, out) is the transpose of the Linear weight (out, in) of
the same scheme, seed and stream, a convolution kernel HWIO is the OIHW
weight permuted, and the layer computes the same function in every
framework. When the weight has one in axis, one out axis and no batch axis
the canonical tensor is filled with the torch layout itself; otherwise the
fans are given explicitly (`--fan-in`, `--fan-out`), which selects the
same values.
"""
from __future__ import annotations

import math
from typing import Optional, Tuple

from ._core import INT64, _integer, fill
from ._text import shown

Axes = Tuple[int, ...]


def shape_of(shape) -> Tuple[int, ...]:
    """`shape` as a tuple of ints ≥ 0 (TypeError, ValueError otherwise)."""
    try:
        dims = tuple(shape)
    except TypeError:
        raise TypeError("shape must be a sequence of ints, not %s" % shown(shape)) from None
    dims = tuple(_integer(d, "shape[%d]" % i, INT64) for i, d in enumerate(dims))
    if any(d < 0 for d in dims):
        raise ValueError("shape %s has a negative dimension" % shown(dims))
    return dims


def axes_of(value, rank: int, name: str) -> Axes:
    """An axis or sequence of axes of a rank-`rank` shape, made non-negative."""
    items = (value,) if not isinstance(value, (tuple, list)) else tuple(value)
    out = []
    for item in items:
        axis = _integer(item, name, INT64)
        if not -rank <= axis < rank:
            raise ValueError("%s %d is not an axis of a rank-%d shape" % (name, axis, rank))
        out.append(axis % rank)
    return tuple(out)


class Plan:
    """How a weight of `shape` is filled: `canonical` (the axes of `shape` in
    PyTorch's order), and `fans` — None to let the library read them from
    the canonical shape in torch layout, else (fan_in, fan_out) to give
    explicitly."""

    def __init__(self, shape: Tuple[int, ...], canonical: Axes, fans: Optional[Tuple[int, int]]):
        self.shape = shape
        self.canonical = canonical
        self.fans = fans

    @property
    def canonical_shape(self) -> Tuple[int, ...]:
        return tuple(self.shape[a] for a in self.canonical)

    @property
    def inverse(self) -> Axes:
        inverse = [0] * len(self.canonical)
        for position, axis in enumerate(self.canonical):
            inverse[axis] = position
        return tuple(inverse)


def plan(shape: Tuple[int, ...], in_axes: Axes, out_axes: Axes, batch_axes: Axes = (),
         receptive_in_fans: bool = True) -> Plan:
    """The plan for a weight whose input, output and batch axes are given
    (distinct, non-negative). Fans: prod(in axes) and prod(out axes), times
    the product of the other, non-batch axes when `receptive_in_fans` (JAX,
    and Keras without input_axes/output_axes)."""
    every = in_axes + out_axes + batch_axes
    if len(set(every)) != len(every):
        raise ValueError("in, out and batch axes must be distinct, not in %s, out %s, batch %s"
                         % (in_axes, out_axes, batch_axes))
    rest = tuple(a for a in range(len(shape)) if a not in every)
    canonical = batch_axes + out_axes + in_axes + rest
    if not batch_axes and len(in_axes) == 1 and len(out_axes) == 1 and (receptive_in_fans or not rest):
        return Plan(shape, canonical, None)
    receptive = math.prod(shape[a] for a in rest) if receptive_in_fans else 1
    fans = (math.prod(shape[a] for a in in_axes) * receptive, math.prod(shape[a] for a in out_axes) * receptive)
    return Plan(shape, canonical, fans)


def numpy_dtype(dtype):
    """The numpy dtype for a framework's float dtype (bfloat16 through ml_dtypes)."""
    import numpy as np

    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved is None or resolved.kind not in "fV":
        if str(dtype) == "bfloat16" or getattr(dtype, "name", None) == "bfloat16":
            import ml_dtypes

            return np.dtype(ml_dtypes.bfloat16)
        raise TypeError("weightinit fills float32, float64, float16 and bfloat16 weights, not %s" % shown(str(dtype)))
    if resolved.kind == "V" and resolved.name != "bfloat16":
        raise TypeError("weightinit fills float32, float64, float16 and bfloat16 weights, not %s" % shown(str(dtype)))
    return resolved


def fill_logical(plan: Plan, dtype, scheme: str, *, fan_based: bool, seed: int, stream: int,
                 threads: Optional[int] = None):
    """A numpy array of plan.shape and `dtype`: the canonical tensor filled
    with `scheme` from (seed, stream), transposed into plan.shape."""
    import numpy as np

    canonical = np.empty(plan.canonical_shape, dtype=numpy_dtype(dtype))
    if canonical.size == 0:
        return np.zeros(plan.shape, dtype=canonical.dtype)
    text = scheme
    if fan_based and plan.fans is not None:
        text = "%s --fan-in %d --fan-out %d" % (scheme, plan.fans[0], plan.fans[1])
    fill(canonical, text, seed=seed, stream=stream, threads=threads)
    return np.ascontiguousarray(canonical.transpose(plan.inverse))


def check_seed(seed, name: str = "seed") -> Optional[int]:
    """None, or `seed` as an int in 0 … 2^64 − 1."""
    return None if seed is None else _integer(seed, name, (0, (1 << 64) - 1, "0 … 2^64 − 1"))


def check_stream(stream) -> int:
    return _integer(stream, "stream", (0, (1 << 32) - 1, "0 … 2^32 − 1"))


def check_threads(threads) -> Optional[int]:
    return None if threads is None else _integer(threads, "threads", (1, (1 << 31) - 1, "1 … 2^31 − 1 (or None)"))


def describe_call(scheme: str, plan: Plan, fan_based: bool, seed: int, stream: int) -> str:
    """The `weightinit generate` command whose output, transposed by the
    plan, is the weight: for messages and the docs' identity recipe."""
    text = scheme
    if fan_based and plan.fans is not None:
        text += " --fan-in %d --fan-out %d" % plan.fans
    shape = ",".join(str(d) for d in plan.canonical_shape) or "1"
    return "weightinit generate %s --shape %s --seed %d --stream %d" % (text, shape, seed, stream)

