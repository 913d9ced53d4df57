"""`keras.initializers` over libweightinit, for Keras 3 on any backend: the
same class names and parameters, each a `keras.initializers.Initializer`
subclass, registered for serialisation (package "weightinit"), so a model
saved with them reloads once this module is imported.

    import keras
    import weightinit.keras as wi

    layer = keras.layers.Dense(256, kernel_initializer=wi.HeNormal(seed=42, stream=1))

Importing this module imports keras; nothing else in weightinit does.

seed and stream. seed is an int (0 … 2⁶⁴−1) or None; stream (keyword,
0 … 2³²−1, default 0) tells tensors with one seed apart. An initializer
called again gives the same values, as a seeded Keras initializer does.
seed=None means what it means in Keras: unseeded — a seed is drawn once,
when the initializer is made, from Python's `random` (as Keras'
`make_default_seed`, so `keras.utils.set_random_seed(n)` makes it
reproducible), and every unseeded initializer gets its own. It is not 0:
an initializer is called without the layer's name, so a fixed default
would give every layer of a shape the same weights. get_config keeps
seed=None (as Keras), so a reloaded, re-initialised model draws again; the
same bytes in every framework need an explicit seed.

Layouts. Keras' fans: for (…, in, out) kernels, shape[-2] and shape[-1]
times the product of the leading axes; a 1-D shape has fan_in = fan_out =
its length; with input_axes/output_axes, the products of those axes. A
weight is filled as the logical tensor PyTorch would hold — (out, in, k…)
— and transposed into Keras' shape (weightinit._logical): a Dense kernel is
`torch.nn.Linear.weight.T` and a Conv2D kernel is the Conv2d weight
permuted (2, 3, 1, 0) for the same scheme, seed and stream. Tables whose
layout PyTorch shares (Embedding) take layout="torch" to be filled
untransposed.

Every class also takes threads= (worker threads, None for every core;
never changes a value) and layout= ("keras" or "torch"), keyword-only.

Differences from keras.initializers (deliberate): the values come from this
package's Philox4x32-10 stream (same laws, other numbers); Orthogonal uses
Householder reflectors (Haar, as Keras' QR); a keras.random.SeedGenerator
is not accepted as seed (it draws Keras' own stream); values are computed
on the host and converted to the backend's tensor.
"""
from __future__ import annotations

import random
from typing import Any, Dict, Optional, Sequence

try:
    import keras
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError("weightinit.keras needs keras 3 (pip install keras): %s" % error) from error

from . import _logical as G
from ._core import _number, describe
from ._text import shown

__all__ = [
    "Initializer", "RandomInitializer",
    "Constant", "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform", "Identity", "IdentityInitializer",
    "LecunNormal", "LecunUniform", "Ones", "Orthogonal", "OrthogonalInitializer", "RandomNormal", "RandomUniform",
    "STFT", "STFTInitializer", "TruncatedNormal", "VarianceScaling", "Zeros",
    "constant", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "identity", "lecun_normal",
    "lecun_uniform", "ones", "orthogonal", "random_normal", "random_uniform", "stft", "truncated_normal",
    "variance_scaling", "zeros",
    "UniformFanIn", "Scheme",
]

Initializer = keras.initializers.Initializer
_register = keras.saving.register_keras_serializable(package="weightinit")


def _dtype(dtype):
    return keras.backend.standardize_dtype(keras.config.floatx() if dtype is None else dtype)


def _tensor(array, dtype):
    return keras.ops.convert_to_tensor(array, dtype=dtype)


class RandomInitializer(Initializer):
    """The base of every random initializer here: a scheme of `weightinit
    generate` filled from (seed, stream) with Keras' layouts and fans. A
    subclass gives `scheme()` and whether it reads fans."""

    fan_based = True

    def __init__(self, seed: Optional[int] = None, input_axes: Optional[Sequence[int]] = None,
                 output_axes: Optional[Sequence[int]] = None, *, stream: int = 0, threads: Optional[int] = None,
                 layout: str = "keras"):
        if isinstance(seed, keras.random.SeedGenerator):
            raise TypeError("seed must be an int or None: a keras.random.SeedGenerator draws Keras' own stream")
        self._init_seed = G.check_seed(seed)
        # Unseeded: a seed drawn once, as Keras' make_default_seed (Python's random).
        self.seed = self._init_seed if self._init_seed is not None else random.getrandbits(64)
        self.stream = G.check_stream(stream)
        self.threads = G.check_threads(threads)
        if layout not in ("keras", "torch"):
            raise ValueError("layout must be 'keras' or 'torch', not %s" % shown(layout))
        self.layout = layout
        if (input_axes is None) != (output_axes is None):
            raise ValueError("input_axes and output_axes go together")
        self.input_axes = None if input_axes is None else [int(a) for a in input_axes]
        self.output_axes = None if output_axes is None else [int(a) for a in output_axes]

    def scheme(self) -> str:
        raise NotImplementedError

    def plan(self, shape) -> G.Plan:
        """How a weight of `shape` is filled (see the module's "Layouts")."""
        shape = G.shape_of(shape)
        rank = len(shape)
        if self.layout == "torch":
            return G.Plan(shape, tuple(range(rank)), None)
        if self.input_axes is not None:
            return G.plan(shape, G.axes_of(self.input_axes, rank, "input_axes"),
                          G.axes_of(self.output_axes, rank, "output_axes"), receptive_in_fans=False)
        if rank < 2:
            n = shape[0] if rank == 1 else 1
            return G.Plan(shape, tuple(range(rank)), (n, n) if self.fan_based else None)
        return G.plan(shape, (rank - 2,), (rank - 1,))

    def describe(self, shape) -> str:
        """The `weightinit generate` command whose output, transposed by the
        layout rule, is this initializer's weight of `shape`."""
        return G.describe_call(self.scheme(), self.plan(shape), self.fan_based, self.seed, self.stream)

    def __call__(self, shape, dtype=None):
        dtype = _dtype(dtype)
        array = G.fill_logical(self.plan(shape), dtype, self.scheme(), fan_based=self.fan_based, seed=self.seed,
                               stream=self.stream, threads=self.threads)
        return _tensor(array, dtype)

    def get_config(self) -> Dict[str, Any]:
        config = {"seed": self._init_seed, "stream": self.stream}
        if self.threads is not None:
            config["threads"] = self.threads
        if self.layout != "keras":
            config["layout"] = self.layout
        return config

    def __repr__(self) -> str:
        return "weightinit.keras.%s(%s)" % (type(self).__name__,
                                             ", ".join("%s=%r" % item for item in self.get_config().items()))


class _Axes(RandomInitializer):
    """The variance-scaling family: Keras' input_axes/output_axes in the config."""

    def get_config(self):
        config = super().get_config()
        config.update(input_axes=self.input_axes, output_axes=self.output_axes)
        return config


_MODES = {"fan_in": "fan-in", "fan_out": "fan-out", "fan_avg": "fan-avg"}
_DISTRIBUTIONS = {"truncated_normal": "truncated-normal", "untruncated_normal": "normal", "uniform": "uniform"}


@_register
class VarianceScaling(_Axes):
    """Variance scaling: variance scale/n, n = fan_in, fan_out or
    (fan_in + fan_out)/2 (`mode`); distribution "truncated_normal" (N(0, σ²)
    truncated at ±2σ, σ = √(scale/n)/0.87962566103423978, so the variance is
    scale/n; "normal" means this too, as in Keras), "untruncated_normal"
    (σ = √(scale/n)) or "uniform" (U(±√(3·scale/n))). Keras: VarianceScaling;
    JAX: variance_scaling. CLI: `variance-scaling --scale s --mode m
    --distribution d`.

    >>> keras.layers.Dense(64, kernel_initializer=weightinit.keras.VarianceScaling(2.0, seed=1))
    """

    def __init__(self, scale: float = 1.0, mode: str = "fan_in", distribution: str = "truncated_normal",
                 seed: Optional[int] = None, input_axes: Optional[Sequence[int]] = None,
                 output_axes: Optional[Sequence[int]] = None, **options):
        scale = _number(scale, "scale")
        if not scale > 0:
            raise ValueError("Argument `scale` must be positive float. Received: scale=%s" % shown(scale))
        if mode not in _MODES:
            raise ValueError("Invalid `mode` argument: %s. Please use one of %s" % (shown(mode), sorted(_MODES)))
        if not isinstance(distribution, str):
            raise TypeError("distribution must be a str, not %s" % shown(distribution))
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"  # as Keras
        if distribution not in _DISTRIBUTIONS:
            raise ValueError("Invalid `distribution` argument: %s. Please use one of %s"
                             % (shown(distribution), sorted(_DISTRIBUTIONS)))
        self.scale, self.mode, self.distribution = scale, mode, distribution
        super().__init__(seed, input_axes, output_axes, **options)

    def scheme(self):
        return "variance-scaling --scale %r --mode %s --distribution %s" % (
            self.scale, _MODES[self.mode], _DISTRIBUTIONS[self.distribution])

    def get_config(self):
        config = super().get_config()
        config.update(scale=self.scale, mode=self.mode, distribution=self.distribution)
        return config


def _fixed(name, text, doc):
    """A variance-scaling class with its scheme fixed (GlorotNormal, HeUniform, …)."""

    def __init__(self, seed: Optional[int] = None, input_axes: Optional[Sequence[int]] = None,
                 output_axes: Optional[Sequence[int]] = None, **options):
        _Axes.__init__(self, seed, input_axes, output_axes, **options)

    cls = type(name, (_Axes,), {"__init__": __init__, "scheme": lambda self: text, "__doc__": doc,
                                 "__module__": __name__, "__qualname__": name})
    return _register(cls)


GlorotUniform = _fixed("GlorotUniform", "xavier-uniform", """Glorot & Bengio (2010) uniform: U(±√(6/(fan_in + fan_out))).
    Keras: GlorotUniform (Dense's default kernel_initializer); PyTorch:
    xavier_uniform_; JAX: glorot_uniform. CLI: `xavier-uniform`.

    >>> keras.layers.Dense(64, kernel_initializer=weightinit.keras.GlorotUniform(seed=42))
    """)
GlorotNormal = _fixed("GlorotNormal", "xavier-normal --truncated", """Glorot & Bengio (2010) normal, truncated:
    N(0, σ²) truncated at ±2σ with variance 2/(fan_in + fan_out). Keras:
    GlorotNormal; JAX: glorot_normal; PyTorch's xavier_normal_ is the
    untruncated law. CLI: `xavier-normal --truncated`.

    >>> keras.layers.Conv2D(32, 3, kernel_initializer=weightinit.keras.GlorotNormal(seed=42))
    """)
HeUniform = _fixed("HeUniform", "kaiming-uniform", """He et al. (2015) uniform: U(±√(6/fan_in)). Keras:
    HeUniform; PyTorch: kaiming_uniform_(nonlinearity="relu"); JAX:
    he_uniform. CLI: `kaiming-uniform`.

    >>> keras.layers.Dense(64, activation="relu", kernel_initializer=weightinit.keras.HeUniform(seed=1))
    """)
HeNormal = _fixed("HeNormal", "kaiming-normal --truncated", """He et al. (2015) normal, truncated: variance
    2/fan_in, truncated at ±2σ. Keras: HeNormal; JAX: he_normal; PyTorch's
    kaiming_normal_ is the untruncated law. CLI: `kaiming-normal --truncated`.

    >>> keras.layers.Dense(64, activation="relu", kernel_initializer=weightinit.keras.HeNormal(seed=1))
    """)
LecunUniform = _fixed("LecunUniform", "lecun-uniform", """LeCun et al. (1998) uniform: U(±√(3/fan_in)). Keras:
    LecunUniform; JAX: lecun_uniform. CLI: `lecun-uniform`.

    >>> keras.layers.Dense(64, kernel_initializer=weightinit.keras.LecunUniform(seed=1))
    """)
LecunNormal = _fixed("LecunNormal", "lecun-normal --truncated", """LeCun et al. (1998) normal, truncated: variance
    1/fan_in, truncated at ±2σ (SELU networks). Keras: LecunNormal; JAX:
    lecun_normal. CLI: `lecun-normal --truncated`.

    >>> keras.layers.Dense(64, activation="selu", kernel_initializer=weightinit.keras.LecunNormal(seed=1))
    """)
UniformFanIn = _fixed("UniformFanIn", "uniform-fan-in", """U(±1/√fan_in): PyTorch's default for nn.Linear and nn.Conv
    weights (kaiming_uniform_(a=√5)); not in keras.initializers. CLI:
    `uniform-fan-in`. With seed= and stream=, a Keras Dense starts from the
    very weights (transposed) of a torch.nn.Linear filled by
    weightinit.init.uniform_fan_in_ with the same seed and stream.

    >>> keras.layers.Dense(64, kernel_initializer=weightinit.keras.UniformFanIn(seed=0, stream=1))
    """)


class _Elementwise(RandomInitializer):
    """Initializers that read no fans (RandomNormal, RandomUniform, TruncatedNormal, Orthogonal)."""

    fan_based = False

    def __init__(self, seed=None, **options):
        super().__init__(seed, **options)


class _MeanStd(_Elementwise):
    """RandomNormal and TruncatedNormal: a mean and a standard deviation."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Optional[int] = None, **options):
        self.mean, self.stddev = _number(mean, "mean"), _number(stddev, "stddev")
        super().__init__(seed, **options)

    def get_config(self):
        return dict(super().get_config(), mean=self.mean, stddev=self.stddev)


@_register
class RandomNormal(_MeanStd):
    """N(mean, stddev²). Keras: RandomNormal (mean=0.0, stddev=0.05); PyTorch:
    normal_; JAX: normal. CLI: `normal --mean mean --std stddev`.

    >>> keras.layers.Dense(64, kernel_initializer=weightinit.keras.RandomNormal(stddev=0.02, seed=0))
    """

    def scheme(self):
        return "normal --mean %r --std %r" % (self.mean, self.stddev)


@_register
class TruncatedNormal(_MeanStd):
    """N(mean, stddev²) truncated to mean ± 2·stddev (no variance
    correction, as Keras; mean=0.0, stddev=0.05). Keras: TruncatedNormal;
    PyTorch: trunc_normal_(mean, std, mean − 2std, mean + 2std). CLI:
    `truncated-normal --mean mean --std stddev`.

    >>> keras.layers.Dense(64, kernel_initializer=weightinit.keras.TruncatedNormal(stddev=0.02, seed=0))
    """

    def scheme(self):
        return "truncated-normal --mean %r --std %r" % (self.mean, self.stddev)


@_register
class RandomUniform(_Elementwise):
    """U[minval, maxval). Keras: RandomUniform (Embedding's default,
    ±0.05); PyTorch: uniform_(a=minval, b=maxval). CLI: `uniform --low
    minval --high maxval`.

    >>> keras.layers.Embedding(1000, 64, embeddings_initializer=weightinit.keras.RandomUniform(seed=0, layout="torch"))
    """

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: Optional[int] = None, **options):
        self.minval, self.maxval = _number(minval, "minval"), _number(maxval, "maxval")
        super().__init__(seed, **options)

    def scheme(self):
        return "uniform --low %r --high %r" % (self.minval, self.maxval)

    def get_config(self):
        return dict(super().get_config(), minval=self.minval, maxval=self.maxval)


@_register
class Orthogonal(_Elementwise):
    """Saxe et al. (2014): gain × a Haar-random matrix with orthonormal
    columns (rows if there are fewer rows than columns), the shape read as
    (∏shape[:-1]) × shape[-1]. Keras: Orthogonal (LSTM's
    recurrent_initializer); PyTorch: orthogonal_ on the (out, in) weight;
    JAX: orthogonal. CLI: `orthogonal --gain gain` (Householder reflectors).

    >>> keras.layers.LSTM(64, recurrent_initializer=weightinit.keras.Orthogonal(seed=0))
    """

    def __init__(self, gain: float = 1.0, seed: Optional[int] = None, **options):
        self.gain = _number(gain, "gain")
        super().__init__(seed, **options)

    def plan(self, shape):
        shape = G.shape_of(shape)
        if len(shape) < 2 and self.layout == "keras":
            raise ValueError("The tensor to initialize must be at least two-dimensional. Received: shape=%s of rank %d."
                             % (shown(shape), len(shape)))
        return super().plan(shape)

    def scheme(self):
        return "orthogonal --gain %r" % self.gain

    def get_config(self):
        return dict(super().get_config(), gain=self.gain)


@_register
class Scheme(RandomInitializer):
    """Any scheme of `weightinit generate`, in its syntax ("kaiming-normal
    --nonlinearity tanh --mode fan-out"), with Keras' layouts and fans. CLI:
    `weightinit generate <scheme>` on the (out, in, k…) weight.

    >>> keras.layers.Dense(64, kernel_initializer=weightinit.keras.Scheme("kaiming-uniform --nonlinearity tanh", seed=0))
    """

    def __init__(self, scheme: str, seed: Optional[int] = None, input_axes: Optional[Sequence[int]] = None,
                 output_axes: Optional[Sequence[int]] = None, **options):
        self.text = scheme
        self.fan_based = describe(scheme).startswith(
            ("xavier-", "kaiming-", "lecun-", "variance-scaling", "uniform-fan-in"))  # also checks the text
        super().__init__(seed, input_axes, output_axes, **options)

    def scheme(self):
        return self.text

    def get_config(self):
        return dict(super().get_config(), scheme=self.text, input_axes=self.input_axes, output_axes=self.output_axes)


# Deterministic initializers: no seed, as in Keras.

@_register
class Zeros(Initializer):
    """Every element 0. Keras: Zeros (Dense's default bias_initializer);
    PyTorch: zeros_; JAX: zeros. CLI: `zeros`.

    >>> keras.layers.Dense(64, bias_initializer=weightinit.keras.Zeros())
    """

    def __call__(self, shape, dtype=None):
        return keras.ops.zeros(tuple(shape), dtype=_dtype(dtype))


@_register
class Ones(Initializer):
    """Every element 1. Keras: Ones; PyTorch: ones_; JAX: ones. CLI: `ones`.

    >>> keras.layers.LayerNormalization(gamma_initializer=weightinit.keras.Ones())
    """

    def __call__(self, shape, dtype=None):
        return keras.ops.ones(tuple(shape), dtype=_dtype(dtype))


@_register
class Constant(Initializer):
    """Every element `value`. Keras: Constant; PyTorch: constant_; JAX:
    constant. CLI: `constant --value value`.

    >>> keras.layers.Dense(64, bias_initializer=weightinit.keras.Constant(0.1))
    """

    def __init__(self, value: float = 0.0):
        self.value = _number(value, "value")

    def __call__(self, shape, dtype=None):
        return keras.ops.full(tuple(shape), self.value, dtype=_dtype(dtype))

    def get_config(self):
        return {"value": self.value}


@_register
class Identity(RandomInitializer):
    """gain × the identity matrix (2-D only). Keras: Identity; PyTorch: eye_.
    CLI: `eye --gain gain`. No seed: nothing is random.

    >>> keras.layers.Dense(64, kernel_initializer=weightinit.keras.Identity())
    """

    fan_based = False

    def __init__(self, gain: float = 1.0, **options):
        self.gain = _number(gain, "gain")
        super().__init__(0, **options)

    def plan(self, shape):
        shape = G.shape_of(shape)
        if len(shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices. Received: shape=%s of rank %d."
                             % (shown(shape), len(shape)))
        return super().plan(shape)

    def scheme(self):
        return "eye --gain %r" % self.gain

    def get_config(self):
        config = {"gain": self.gain}
        if self.layout != "keras":
            config["layout"] = self.layout
        return config


# Keras' STFT initializer computes a window, not random values: it is Keras'
# own, under its name, so `from weightinit.keras import *` replaces nothing.
STFT = STFTInitializer = keras.initializers.STFT

IdentityInitializer = Identity
OrthogonalInitializer = Orthogonal
# Keras' lower-case aliases.
constant, glorot_normal, glorot_uniform, he_normal, he_uniform = Constant, GlorotNormal, GlorotUniform, HeNormal, HeUniform
identity, lecun_normal, lecun_uniform, ones, orthogonal = Identity, LecunNormal, LecunUniform, Ones, Orthogonal
random_normal, random_uniform, stft, truncated_normal = RandomNormal, RandomUniform, STFT, TruncatedNormal
variance_scaling, zeros = VarianceScaling, Zeros
