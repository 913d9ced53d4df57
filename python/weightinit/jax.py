"""`jax.nn.initializers` over libweightinit: the same names and parameters,
each returning an initializer `init(key, shape, dtype=None) -> jax.Array`
for Flax (`nn.Dense(kernel_init=weightinit.jax.glorot_uniform())`),
Equinox and plain JAX — eagerly, under `jax.jit` (through
`jax.pure_callback`) and under `jax.vmap` (one call per key).

    import jax
    import weightinit.jax as wi

    w = wi.he_normal()(jax.random.key(42), (784, 256))   # in × out, as Flax's Dense kernel

Importing this module imports jax; nothing else in weightinit does.

Keys. A JAX key becomes the seed of the stream, `key_seed(key)`: the key's
data as 32-bit words w (`jax.random.key_data`); with two words (threefry2x32,
JAX's default, and the raw uint32[2] keys of `jax.random.PRNGKey`) seed =
w[0]·2³² + w[1], so `jax.random.key(s)` gives seed s (0 ≤ s < 2³², or any
s < 2⁶⁴ with x64 on); with any other number of words (rbg keys have four)
seed = FNV-1a 64 of the words' little-endian bytes. The stream is the
initializer's `stream=` (default 0). Flax derives a different key for every
parameter, so each gets its own seed. `seed=` given to an initializer
overrides the key (the key is then ignored): the tensor is exactly the CLI's
`--seed seed --stream stream` one, whatever key Flax hands in — the way to
get the same bytes as PyTorch or Keras (see "Layouts").

Layouts. A weight is filled as the logical tensor PyTorch would hold —
canonical axes (batch…, out…, in…, receptive…) — and transposed into its own
shape (weightinit._logical). With the defaults (in_axis=-2, out_axis=-1) a
Dense kernel (in, out) is the transpose of `torch.nn.Linear.weight`
(out, in), and a convolution kernel HWIO is OIHW permuted, for the same
scheme, seed and stream: `kernel == weight.T` (Dense) and
`kernel == weight.permute(2, 3, 1, 0)` (Conv2D). The fans are JAX's own
(`in_size·receptive`, `out_size·receptive`, batch axes left out). Equinox
stores Linear weights (out, in) and convolutions (out, in, k…): use
in_axis=-1, out_axis=-2 for Linear and in_axis=1, out_axis=0 for convs.

Keyword-only on every factory, after JAX's own parameters: seed (None: from
the key; or an int 0 … 2⁶⁴−1), stream (0 … 2³²−1, default 0), threads
(worker threads, None for every core; never changes a value).

Differences from jax.nn.initializers (deliberate): the values come from
this package's Philox4x32-10 stream (same laws, other numbers);
truncated normals are truncated at ±2σ of the scaled distribution, as JAX;
orthogonal is built with Householder reflectors (Haar, as JAX's QR);
delta_orthogonal puts the centre at k // 2 on each spatial axis (JAX:
(k − 1) // 2, the same for odd k); variance_scaling's "fan_geo_avg" is
"fan_in" with scale·√(fan_in/fan_out); complex dtypes and out_sharding are
not supported (NotImplementedError, as JAX's orthogonal).
"""
from __future__ import annotations

import math
from typing import Any, Callable, Optional, Sequence, Union

try:
    import jax
    import jax.numpy as jnp
    import numpy as np
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError("weightinit.jax needs jax (pip install jax): %s" % error) from error

from . import _logical as G
from ._core import _number, describe
from ._text import shown

__all__ = [
    "Initializer", "key_seed",
    "constant", "delta_orthogonal", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
    "kaiming_normal", "kaiming_uniform", "lecun_normal", "lecun_uniform", "normal", "ones", "orthogonal",
    "truncated_normal", "uniform", "variance_scaling", "xavier_normal", "xavier_uniform", "zeros",
    "uniform_fan_in", "from_scheme",
]

AxisSpec = Union[int, Sequence[int]]
DTypeLike = Any
Shape = Sequence[int]


def _default_dtype():
    return jax.dtypes.canonicalize_dtype(float)


def key_seed(key) -> int:
    """The seed a JAX key stands for (see the module's "Keys"): s for
    `jax.random.key(s)` and `jax.random.PRNGKey(s)`.

    >>> weightinit.jax.key_seed(jax.random.key(42))
    42
    """
    return _words_seed(np.asarray(_key_words(key)))


def _key_words(key):
    """The key's data as uint32 words (a typed key or a raw uint32 array)."""
    if jax.dtypes.issubdtype(getattr(key, "dtype", None), jax.dtypes.prng_key):
        data = jax.random.key_data(key)
    else:
        data = key
        if getattr(data, "dtype", None) != np.uint32:
            raise TypeError("key must be a JAX key (jax.random.key) or a uint32 array (jax.random.PRNGKey), not %s"
                            % shown(data))
    if data.ndim != 1:
        raise ValueError("key must be one key, not a batch of shape %s (use jax.vmap)" % shown(tuple(data.shape)[:-1]))
    return data


def _words_seed(words) -> int:
    words = [int(w) for w in np.asarray(words, dtype=np.uint32).reshape(-1)]
    if len(words) == 2:
        return (words[0] << 32) | words[1]
    digest = 0xCBF29CE484222325  # FNV-1a 64
    for word in words:
        for byte in word.to_bytes(4, "little"):
            digest = ((digest ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return digest


PlanOf = Callable[[tuple], G.Plan]


class Initializer:
    """An initializer of weightinit.jax, called as JAX calls initializers:
    `init(key, shape, dtype=None)`. `scheme` is the CLI text it fills with;
    `describe(shape, seed)` is the `weightinit generate` command whose output,
    transposed by the layout rule, it returns."""

    def __init__(self, name: str, scheme: str, fan_based: bool, plan_of: PlanOf, dtype, seed, stream, threads,
                 check: Optional[Callable[[tuple], None]] = None):
        self.name = name
        self.scheme = scheme
        self.fan_based = fan_based
        self._plan_of = plan_of
        self._check = check
        self.dtype = dtype
        self.seed = G.check_seed(seed)
        self.stream = G.check_stream(stream)
        self.threads = G.check_threads(threads)
        if dtype is not None:
            G.numpy_dtype(jnp.dtype(dtype))

    def __repr__(self) -> str:
        return "weightinit.jax.%s(%r, seed=%r, stream=%r)" % (self.name, self.scheme, self.seed, self.stream)

    def plan(self, shape: Shape) -> G.Plan:
        shape = G.shape_of(shape)
        if self._check is not None:
            self._check(shape)
        return self._plan_of(shape)

    def scheme_for(self, plan: G.Plan) -> str:
        """The scheme text for a weight of plan.shape (explicit fans are added to it)."""
        return self.scheme

    def describe(self, shape: Shape, seed: int = 0) -> str:
        """The `weightinit generate` command whose output, transposed by the
        layout rule, is this initializer's weight of `shape` for the key of
        `seed` (or for its own seed=)."""
        plan = self.plan(shape)
        return G.describe_call(self.scheme_for(plan), plan, self.fan_based,
                               self.seed if self.seed is not None else seed, self.stream)

    def __call__(self, key, shape: Shape, dtype: Optional[DTypeLike] = None, out_sharding: Any = None) -> jax.Array:
        if out_sharding is not None:
            raise NotImplementedError("weightinit.jax initializers do not take out_sharding")
        dtype = self.dtype if dtype is None else dtype
        dtype = jax.dtypes.canonicalize_dtype(_default_dtype() if dtype is None else dtype)
        target = G.numpy_dtype(dtype)
        plan = self.plan(shape)
        text = self.scheme_for(plan)

        def host(words=None):
            seed = self.seed if self.seed is not None else _words_seed(words)
            return G.fill_logical(plan, target, text, fan_based=self.fan_based, seed=seed, stream=self.stream,
                                  threads=self.threads)

        words = None if self.seed is not None else _key_words(key)
        if words is None or not isinstance(words, jax.core.Tracer):
            # A concrete key (or none needed): fill now, without a callback.
            return jnp.asarray(host(None if words is None else np.asarray(words)), dtype=dtype)
        return jax.pure_callback(host, jax.ShapeDtypeStruct(plan.shape, dtype), words, vmap_method="sequential")


def _plans(in_axis: AxisSpec, out_axis: AxisSpec, batch_axis: AxisSpec, layout: str, fan_based: bool) -> PlanOf:
    """The plan of a weight as a function of its shape. layout "jax": the
    axes given, as JAX's _compute_fans reads them; a shape of rank < 2 with
    the default in_axis is filled as it is (fan-based schemes refuse it, as
    JAX does). layout "torch": the shape is PyTorch's (out, in, k…) already
    and is filled untransposed, with torch's fans."""
    if layout not in ("jax", "torch"):
        raise ValueError("layout must be 'jax' or 'torch', not %s" % shown(layout))

    def plan_of(shape):
        rank = len(shape)
        if layout == "torch":
            return G.Plan(shape, tuple(range(rank)), None)
        if rank <= 1 and isinstance(in_axis, int) and in_axis == -2:
            if fan_based:
                raise ValueError("Can't compute input and output sizes of a %d-dimensional weights tensor with "
                                 "default in_axis. Must be at least 2D or specify in_axis explicitly." % rank)
            return G.Plan(shape, tuple(range(rank)), None)
        return G.plan(shape, G.axes_of(in_axis, rank, "in_axis"), G.axes_of(out_axis, rank, "out_axis"),
                      G.axes_of(batch_axis, rank, "batch_axis"))
    return plan_of


def _scaled(name, scheme, in_axis, out_axis, batch_axis, dtype, seed, stream, threads, layout) -> Initializer:
    return Initializer(name, scheme, True, _plans(in_axis, out_axis, batch_axis, layout, True), dtype, seed, stream,
                       threads)


def _elementwise(name, scheme, dtype, seed, stream, threads, layout) -> Initializer:
    return Initializer(name, scheme, False, _plans(-2, -1, (), layout, False), dtype, seed, stream, threads)


_MODES = {"fan_in": "fan-in", "fan_out": "fan-out", "fan_avg": "fan-avg"}
_DISTRIBUTIONS = {"truncated_normal": "truncated-normal", "normal": "normal", "uniform": "uniform"}


class _GeometricMean(Initializer):
    """variance_scaling with mode "fan_geo_avg": the library's variance
    scaling with mode fan-in and scale·√(fan_in/fan_out), which divides
    scale by √(fan_in·fan_out). Its fans are always given explicitly."""

    def __init__(self, scale, distribution, plan_of, dtype, seed, stream, threads):
        def explicit(shape):
            planned = plan_of(shape)
            if planned.fans is None:  # fans of the canonical (out, in, k…), as torch reads them
                dims = planned.canonical_shape
                receptive = math.prod(dims[2:])
                planned = G.Plan(planned.shape, planned.canonical, (dims[1] * receptive, dims[0] * receptive))
            return planned

        super().__init__("variance_scaling", "variance-scaling", True, explicit, dtype, seed, stream, threads)
        self._scale, self._distribution = scale, distribution

    def scheme_for(self, plan):
        fan_in, fan_out = plan.fans
        scale = self._scale * math.sqrt(fan_in / fan_out) if fan_in and fan_out else self._scale
        return "variance-scaling --scale %r --mode fan-in --distribution %s" % (scale, self._distribution)


def variance_scaling(scale: float, mode: str, distribution: str, in_axis: AxisSpec = -2, out_axis: AxisSpec = -1,
                     batch_axis: AxisSpec = (), dtype: Optional[DTypeLike] = None, *, seed: Optional[int] = None,
                     stream: int = 0, threads: Optional[int] = None, layout: str = "jax") -> Initializer:
    """Variance scaling: variance scale/n, n the fan of `mode` — "fan_in",
    "fan_out", "fan_avg" ((fan_in + fan_out)/2) or "fan_geo_avg"
    (√(fan_in·fan_out)); distribution "truncated_normal" (N(0, σ²) truncated
    at ±2σ, σ = √(scale/n)/0.87962566103423978, so the variance is scale/n),
    "normal" (σ = √(scale/n)) or "uniform" (U(±√(3·scale/n))). Fans:
    in_size·receptive and out_size·receptive, the receptive field being
    every axis not in in_axis, out_axis or batch_axis. JAX:
    variance_scaling; Keras: VarianceScaling (whose "normal" is truncated).
    CLI: `variance-scaling --scale s --mode m --distribution d`.

    >>> init = weightinit.jax.variance_scaling(2.0, "fan_in", "truncated_normal")
    >>> init(jax.random.key(0), (784, 256)).std()      # ≈ √(2/784) = 0.0505
    """
    scale = _number(scale, "scale")
    if not isinstance(mode, str) or not isinstance(distribution, str):
        raise TypeError("mode and distribution must be str, not %s and %s" % (shown(mode), shown(distribution)))
    if distribution not in _DISTRIBUTIONS:
        raise ValueError("invalid distribution for variance scaling initializer: %s" % shown(distribution))
    if mode == "fan_geo_avg":
        return _GeometricMean(scale, _DISTRIBUTIONS[distribution], _plans(in_axis, out_axis, batch_axis, layout, True),
                              dtype, seed, stream, threads)
    if mode not in _MODES:
        raise ValueError("invalid mode for variance scaling initializer: %s" % shown(mode))
    text = "variance-scaling --scale %r --mode %s --distribution %s" % (scale, _MODES[mode], _DISTRIBUTIONS[distribution])
    return _scaled("variance_scaling", text, in_axis, out_axis, batch_axis, dtype, seed, stream, threads, layout)


def glorot_uniform(in_axis: AxisSpec = -2, out_axis: AxisSpec = -1, batch_axis: AxisSpec = (),
                   dtype: Optional[DTypeLike] = None, *, seed: Optional[int] = None, stream: int = 0,
                   threads: Optional[int] = None, layout: str = "jax") -> Initializer:
    """Glorot & Bengio (2010) uniform: U(±√(6/(fan_in + fan_out))), i.e.
    variance_scaling(1.0, "fan_avg", "uniform"). JAX: glorot_uniform
    (xavier_uniform); PyTorch: xavier_uniform_; Keras: GlorotUniform. CLI:
    `xavier-uniform`.

    >>> flax.linen.Dense(256, kernel_init=weightinit.jax.glorot_uniform())
    """
    return _scaled("glorot_uniform", "xavier-uniform", in_axis, out_axis, batch_axis, dtype, seed, stream, threads,
                   layout)


def glorot_normal(in_axis: AxisSpec = -2, out_axis: AxisSpec = -1, batch_axis: AxisSpec = (),
                  dtype: Optional[DTypeLike] = None, *, seed: Optional[int] = None, stream: int = 0,
                  threads: Optional[int] = None, layout: str = "jax") -> Initializer:
    """Glorot & Bengio (2010) normal, truncated as JAX and Keras: N(0, σ²)
    truncated at ±2σ with variance 2/(fan_in + fan_out), i.e.
    variance_scaling(1.0, "fan_avg", "truncated_normal"). JAX: glorot_normal
    (xavier_normal); Keras: GlorotNormal; PyTorch's xavier_normal_ is the
    untruncated law. CLI: `xavier-normal --truncated`.

    >>> weightinit.jax.glorot_normal()(jax.random.key(0), (3, 3, 64, 128))   # HWIO
    """
    return _scaled("glorot_normal", "xavier-normal --truncated", in_axis, out_axis, batch_axis, dtype, seed, stream,
                   threads, layout)


def he_uniform(in_axis: AxisSpec = -2, out_axis: AxisSpec = -1, batch_axis: AxisSpec = (),
               dtype: Optional[DTypeLike] = None, *, seed: Optional[int] = None, stream: int = 0,
               threads: Optional[int] = None, layout: str = "jax") -> Initializer:
    """He et al. (2015) uniform: U(±√(6/fan_in)), i.e.
    variance_scaling(2.0, "fan_in", "uniform"). JAX: he_uniform
    (kaiming_uniform); PyTorch: kaiming_uniform_(nonlinearity="relu");
    Keras: HeUniform. CLI: `kaiming-uniform`.

    >>> weightinit.jax.he_uniform(seed=7)(None, (512, 256))
    """
    return _scaled("he_uniform", "kaiming-uniform", in_axis, out_axis, batch_axis, dtype, seed, stream, threads,
                   layout)


def he_normal(in_axis: AxisSpec = -2, out_axis: AxisSpec = -1, batch_axis: AxisSpec = (),
              dtype: Optional[DTypeLike] = None, *, seed: Optional[int] = None, stream: int = 0,
              threads: Optional[int] = None, layout: str = "jax") -> Initializer:
    """He et al. (2015) normal, truncated as JAX and Keras: variance 2/fan_in,
    truncated at ±2σ, i.e. variance_scaling(2.0, "fan_in",
    "truncated_normal"). JAX: he_normal (kaiming_normal); Keras: HeNormal;
    PyTorch's kaiming_normal_ is the untruncated law. CLI: `kaiming-normal
    --truncated`.

    >>> weightinit.jax.he_normal()(jax.random.key(0), (784, 256))
    """
    return _scaled("he_normal", "kaiming-normal --truncated", in_axis, out_axis, batch_axis, dtype, seed, stream,
                   threads, layout)


def lecun_uniform(in_axis: AxisSpec = -2, out_axis: AxisSpec = -1, batch_axis: AxisSpec = (),
                  dtype: Optional[DTypeLike] = None, *, seed: Optional[int] = None, stream: int = 0,
                  threads: Optional[int] = None, layout: str = "jax") -> Initializer:
    """LeCun et al. (1998) uniform: U(±√(3/fan_in)), i.e.
    variance_scaling(1.0, "fan_in", "uniform"). JAX: lecun_uniform; Keras:
    LecunUniform. CLI: `lecun-uniform`.

    >>> weightinit.jax.lecun_uniform()(jax.random.key(0), (128, 64))
    """
    return _scaled("lecun_uniform", "lecun-uniform", in_axis, out_axis, batch_axis, dtype, seed, stream, threads,
                   layout)


def lecun_normal(in_axis: AxisSpec = -2, out_axis: AxisSpec = -1, batch_axis: AxisSpec = (),
                 dtype: Optional[DTypeLike] = None, *, seed: Optional[int] = None, stream: int = 0,
                 threads: Optional[int] = None, layout: str = "jax") -> Initializer:
    """LeCun et al. (1998) normal, truncated: variance 1/fan_in, truncated at
    ±2σ, i.e. variance_scaling(1.0, "fan_in", "truncated_normal") — Flax's
    default kernel_init. JAX: lecun_normal; Keras: LecunNormal. CLI:
    `lecun-normal --truncated`.

    >>> flax.linen.Dense(10, kernel_init=weightinit.jax.lecun_normal())
    """
    return _scaled("lecun_normal", "lecun-normal --truncated", in_axis, out_axis, batch_axis, dtype, seed, stream,
                   threads, layout)


xavier_uniform = glorot_uniform
xavier_normal = glorot_normal
kaiming_uniform = he_uniform
kaiming_normal = he_normal


def normal(stddev: float = 1e-2, dtype: Optional[DTypeLike] = None, *, seed: Optional[int] = None,
           stream: int = 0, threads: Optional[int] = None, layout: str = "jax") -> Initializer:
    """N(0, stddev²). JAX: normal; PyTorch: normal_(std=stddev); Keras:
    RandomNormal. CLI: `normal --std stddev`. A weight of rank ≥ 2 is read
    as (…, in, out) and filled transposed, as every scheme here; an embedding
    table has PyTorch's layout already: give layout="torch".

    >>> weightinit.jax.normal(0.02, layout="torch")(jax.random.key(0), (50257, 768))   # an embedding
    """
    text = "normal --std %r" % _number(stddev, "stddev")
    return _elementwise("normal", text, dtype, seed, stream, threads, layout)


def uniform(scale: float = 1e-2, dtype: Optional[DTypeLike] = None, *, seed: Optional[int] = None,
            stream: int = 0, threads: Optional[int] = None, layout: str = "jax") -> Initializer:
    """U[0, scale). JAX: uniform; PyTorch: uniform_(a=0, b=scale); Keras:
    RandomUniform(0, scale). CLI: `uniform --low 0 --high scale`.

    >>> weightinit.jax.uniform(1.0)(jax.random.key(0), (4,))
    """
    text = "uniform --low 0.0 --high %r" % _number(scale, "scale")
    return _elementwise("uniform", text, dtype, seed, stream, threads, layout)


def truncated_normal(stddev: float = 1e-2, dtype: Optional[DTypeLike] = None, lower: float = -2.0,
                     upper: float = 2.0, *, seed: Optional[int] = None, stream: int = 0,
                     threads: Optional[int] = None, layout: str = "jax") -> Initializer:
    """N(0, stddev²) truncated to [lower·stddev, upper·stddev] (bounds in
    standard deviations, no variance correction, as JAX). JAX:
    truncated_normal; PyTorch: trunc_normal_(std=s, a=lower·s, b=upper·s).
    CLI: `truncated-normal --std s --low lower·s --high upper·s`.

    >>> weightinit.jax.truncated_normal(0.02)(jax.random.key(0), (768, 768))
    """
    stddev, lower, upper = _number(stddev, "stddev"), _number(lower, "lower"), _number(upper, "upper")
    text = "truncated-normal --std %r --low %r --high %r" % (stddev, lower * stddev, upper * stddev)
    return _elementwise("truncated_normal", text, dtype, seed, stream, threads, layout)


def orthogonal(scale: float = 1.0, column_axis: int = -1, dtype: Optional[DTypeLike] = None, *,
               seed: Optional[int] = None, stream: int = 0, threads: Optional[int] = None,
               layout: str = "jax") -> Initializer:
    """Saxe et al. (2014): scale × a Haar-random matrix with orthonormal
    columns (or rows, if fewer rows than columns); the columns are
    shape[column_axis], the rows every other axis. JAX: orthogonal;
    PyTorch: orthogonal_(gain=scale) on the (out, in) weight (the column
    axis is the out axis, the last other axis the in axis); Keras:
    Orthogonal. CLI: `orthogonal --gain scale` (Householder reflectors).

    >>> weightinit.jax.orthogonal()(jax.random.key(0), (256, 256))
    """
    text = "orthogonal --gain %r" % _number(scale, "scale")
    if layout != "jax":
        return _elementwise("orthogonal", text, dtype, seed, stream, threads, layout)

    def plan_of(shape):
        rank = len(shape)
        if rank < 2:
            raise ValueError("orthogonal initializer requires at least a 2D shape")
        column = G.axes_of(column_axis, rank, "column_axis")
        return G.plan(shape, (max(a for a in range(rank) if a not in column),), column)

    return Initializer("orthogonal", text, False, plan_of, dtype, seed, stream, threads)


def delta_orthogonal(scale: float = 1.0, column_axis: int = -1, dtype: Optional[DTypeLike] = None, *,
                     seed: Optional[int] = None, stream: int = 0, threads: Optional[int] = None,
                     layout: str = "jax") -> Initializer:
    """Xiao et al. (2018): a 3-, 4- or 5-D convolution kernel (k…, in, out),
    in ≤ out, zero except at the spatial centre tap (k // 2 on each axis),
    which holds scale × an in × out matrix with orthonormal rows. JAX:
    delta_orthogonal (centre (k − 1) // 2: the same for odd k). CLI:
    `delta-orthogonal --gain scale` on the (out, in, k…) weight.

    >>> weightinit.jax.delta_orthogonal()(jax.random.key(0), (3, 3, 64, 64))
    """
    text = "delta-orthogonal --gain %r" % _number(scale, "scale")
    if layout != "jax":
        return _elementwise("delta_orthogonal", text, dtype, seed, stream, threads, layout)

    def check(shape):
        if len(shape) not in (3, 4, 5):
            raise ValueError("Delta orthogonal initializer requires a 3D, 4D or 5D shape.")
        if shape[-1] < shape[-2]:
            raise ValueError("`fan_in` must be less or equal than `fan_out`. ")
        if G.axes_of(column_axis, len(shape), "column_axis") != (len(shape) - 1,):
            raise NotImplementedError("weightinit.jax.delta_orthogonal takes column_axis=-1 only")

    return Initializer("delta_orthogonal", text, False, lambda shape: G.plan(shape, (len(shape) - 2,), (len(shape) - 1,)),
                       dtype, seed, stream, threads, check=check)


def uniform_fan_in(in_axis: AxisSpec = -2, out_axis: AxisSpec = -1, batch_axis: AxisSpec = (),
                   dtype: Optional[DTypeLike] = None, *, seed: Optional[int] = None, stream: int = 0,
                   threads: Optional[int] = None, layout: str = "jax") -> Initializer:
    """U(±1/√fan_in): PyTorch's default for nn.Linear and nn.Conv weights
    (kaiming_uniform_(a=√5)); not in jax.nn.initializers. CLI:
    `uniform-fan-in`. With seed= and stream=, a Flax Dense starts from the
    very weights (transposed) of a torch.nn.Linear filled by
    weightinit.init.uniform_fan_in_ with the same seed and stream.

    >>> weightinit.jax.uniform_fan_in(seed=0, stream=1)(None, (784, 256))
    """
    return _scaled("uniform_fan_in", "uniform-fan-in", in_axis, out_axis, batch_axis, dtype, seed, stream, threads,
                   layout)


_FAN_SCHEMES = ("xavier-", "kaiming-", "lecun-", "variance-scaling", "uniform-fan-in")


def from_scheme(scheme: str, in_axis: AxisSpec = -2, out_axis: AxisSpec = -1, batch_axis: AxisSpec = (),
                dtype: Optional[DTypeLike] = None, *, seed: Optional[int] = None, stream: int = 0,
                threads: Optional[int] = None, layout: str = "jax") -> Initializer:
    """Any scheme of `weightinit generate`, in its syntax ("kaiming-normal
    --nonlinearity tanh --mode fan-out"), as a JAX initializer with the
    layout rule and JAX's fans.

    >>> weightinit.jax.from_scheme("kaiming-uniform --nonlinearity tanh")(jax.random.key(0), (64, 32))
    """
    fan_based = describe(scheme).startswith(_FAN_SCHEMES)  # also checks the text
    return Initializer("from_scheme", scheme, fan_based, _plans(in_axis, out_axis, batch_axis, layout, fan_based),
                       dtype, seed, stream, threads)


def zeros(key, shape: Shape, dtype: Optional[DTypeLike] = None, out_sharding: Any = None) -> jax.Array:
    """An array of zeros (the key is ignored). JAX: zeros; PyTorch: zeros_;
    Keras: Zeros. CLI: `zeros`.

    >>> flax.linen.Dense(10, bias_init=weightinit.jax.zeros)
    """
    return jnp.zeros(shape, _default_dtype() if dtype is None else dtype, out_sharding=out_sharding)


def ones(key, shape: Shape, dtype: Optional[DTypeLike] = None, out_sharding: Any = None) -> jax.Array:
    """An array of ones (the key is ignored). JAX: ones; PyTorch: ones_;
    Keras: Ones. CLI: `ones`.

    >>> flax.linen.LayerNorm(scale_init=weightinit.jax.ones)
    """
    return jnp.ones(shape, _default_dtype() if dtype is None else dtype, out_sharding=out_sharding)


def constant(value: float, dtype: Optional[DTypeLike] = None) -> Callable[..., jax.Array]:
    """An initializer of arrays full of `value` (the key is ignored). JAX:
    constant; PyTorch: constant_; Keras: Constant. CLI: `constant --value`.

    >>> weightinit.jax.constant(0.1)(None, (4,))
    """
    default = dtype

    def init(key, shape: Shape, dtype: Optional[DTypeLike] = default, out_sharding: Any = None) -> jax.Array:
        return jnp.full(shape, value, dtype=_default_dtype() if dtype is None else dtype, device=out_sharding)

    return init
