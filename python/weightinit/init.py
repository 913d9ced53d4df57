"""`torch.nn.init` over libweightinit: the same function names, parameter
names and defaults, filling numpy arrays and PyTorch CPU tensors in place
(and returning them) with values reproducible from `seed=` and `stream=`.

It has torch.nn.init's every public name: its fills, `calculate_gain`
(the same table as torch's, and the gains the fills apply), and torch's
deprecated names without the underscore (`normal`, `xavier_uniform`, …),
which warn with torch's FutureWarning and call the underscore ones. Keras'
schemes follow (glorot_*, he_*, lecun_*, variance_scaling_) with
uniform_fan_in_ and delta_orthogonal_.

Every function here is one scheme of `weightinit generate` with its options,
so `kaiming_normal_(t, seed=7, stream=3)` holds exactly the bytes of
`weightinit generate kaiming-normal --nonlinearity leaky-relu
--negative-slope 0 --shape <t.shape> --seed 7 --stream 3 --dtype <t.dtype>`.

Keyword-only on every function:

- seed (int, 0 … 2⁶⁴−1, default 0) and stream (int, 0 … 2³²−1, default 0):
  the random stream, as the CLI's --seed and --stream. Give each tensor its
  own stream (e.g. stream=weightinit.name_stream("fc1.weight"); a spec
  file's tensor of seed s is seed=weightinit.name_seed("fc1.weight", s)
  with that stream); equal seed, stream, scheme and shape give equal values.
- shard=(index, count, dim) with full_shape=: the tensor is that block of a
  tensor of full_shape; fans come from full_shape and the values are that
  block's, so the blocks of all ranks concatenate to the whole tensor.
- layout: how fans are read from the shape — 'torch' (out, in, kernel…;
  the default), 'keras' (kernel…, in, out) or (in_axis, out_axis).
- threads: worker threads (None: every core); never changes a value, except
  orthogonal matrices' from 1024 rows and columns up (LAPACK's rounding
  follows OpenBLAS's thread count there).

Arguments: numbers (mean, std, a, b, gain, …) are int, float or numpy
scalars; integers (groups, blocks, seed, stream, shard, full_shape, axes,
threads) int or numpy integers; choices (mode, nonlinearity, method,
distribution) str. bool is neither number nor integer. Anything else is a
TypeError; an integer outside the range C takes, a number too large for a
float or a str holding a NUL character is a ValueError — before anything
is written. As torch.nn.init, an inference tensor is filled only inside
torch.inference_mode(), and a torch view with the negation bit
(z.conj().imag) reads back as the values after its fill.

Differences from torch.nn.init (deliberate):

- The values come from this package's Philox4x32-10 stream, not torch's
  generator: the same laws, different numbers; `generator=` is not taken,
  seed=/stream= replace it (default 0, as the CLI; torch draws from global
  state instead).
- orthogonal_ uses Householder reflectors (Stewart 1980) unless method="qr";
  both are Haar-distributed, as torch's QR. Extra keywords: method, blocks.
- kaiming_*: mode may also be 'fan_avg'; nonlinearity also 'identity'.
- eye_ and dirac_ fill float tensors only (torch also takes integer ones).
- A 0-d tensor is filled as shape (1,); a tensor with no elements is left as
  it is (torch does the same, warning in kaiming_*).
- Errors: parameters out of range raise WeightInitValueError (a ValueError)
  carrying the library's message, also where torch would silently accept
  them (std = 0, a = b, gain = 0, a negative gain for orthogonal_); a bool
  or a str where a number belongs is a TypeError (torch takes True as 1).
"""
from __future__ import annotations

import functools
import math
import numbers
import re
import warnings
from typing import Any, Callable, Optional, Sequence, Tuple, TypeVar, Union

from ._core import INT64, _integer, _number, _text, fill
from ._text import shown, type_name

T = TypeVar("T")
"""The tensor type: a function returns the numpy array or torch tensor it filled."""
Shard = Optional[Tuple[int, int, int]]
FullShape = Optional[Sequence[int]]
Layout = Union[str, Tuple[int, int]]


def _fill(tensor, text, seed, stream, shard, full_shape, layout, threads):
    return fill(tensor, text, seed=seed, stream=stream, shard=shard, full_shape=full_shape, layout=layout,
                threads=threads)

__all__ = [
    # torch.nn.init's __all__, in its order (the names without "_" are its deprecated aliases)
    "calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_", "dirac_",
    "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_", "sparse_",
    "uniform", "normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal", "kaiming_uniform",
    "kaiming_normal", "orthogonal", "sparse",
    # Keras' schemes and more
    "glorot_uniform_", "glorot_normal_", "he_uniform_", "he_normal_", "lecun_uniform_", "lecun_normal_",
    "variance_scaling_", "uniform_fan_in_", "delta_orthogonal_",
]


def _option(value, name):
    """A number (int, float or numpy scalar; not bool) as the CLI's option
    text: repr of the float, which round-trips exactly."""
    return repr(_number(value, name))


def _whole(value, name):
    """An integer (int or numpy integer; not bool) as the CLI's option text."""
    return str(_integer(value, name, INT64))


_NOT_A_WORD = re.compile(r"^$|^-|\s").search


def _name(value, name):
    """A choice (mode, nonlinearity, …) as one word of the scheme text; the library checks the choices."""
    _text(value, name)  # a str, without NUL, encodable
    if _NOT_A_WORD(value):
        raise ValueError("invalid %s %s" % (name, shown(value)))
    return value


def _kaiming(kind, a, mode, nonlinearity):
    """torch's kaiming rule: gain = calculate_gain(nonlinearity, a); `a` is the
    negative slope and only matters for leaky_relu (a=0 there gives √2, as
    relu; a=None the CLI's default slope 0.01, as calculate_gain's)."""
    if type(mode) is str and type(nonlinearity) is str and type(a) in _PLAIN:
        return _kaiming_text(kind, a, mode, nonlinearity)  # hashable: the cache checks them on a miss
    return _kaiming_text(kind, None if a is None else _number(a, "a"), _name(mode, "mode"),
                         _name(nonlinearity, "nonlinearity"))


_PLAIN = (int, float, type(None))


# The text of a call's scheme is cached (as the library's parse of it), so a
# repeated call with the same arguments neither checks, formats nor parses.
@functools.lru_cache(maxsize=1024)
def _kaiming_text(kind, a, mode, nonlinearity):
    text = "%s --mode %s --nonlinearity %s" % (kind, _name(mode, "mode"), _name(nonlinearity, "nonlinearity"))
    if nonlinearity.lower().replace("-", "_") == "leaky_relu" and a is not None:
        text += " --negative-slope " + _option(a, "a")
    return text


def uniform_(tensor: T, a: float = 0.0, b: float = 1.0, *, seed: int = 0, stream: int = 0, shard: Shard = None,
             full_shape: FullShape = None, layout: Layout = "torch", threads: Optional[int] = None) -> T:
    """Fills `tensor` with values from U[a, b).

    PyTorch: torch.nn.init.uniform_; Keras: RandomUniform(minval=a,
    maxval=b). CLI: `weightinit generate uniform --low a --high b`.

    Example:
        >>> w = np.empty((3, 5), np.float32)
        >>> init.uniform_(w, -0.1, 0.1, seed=7)
    """
    text = "uniform --low %s --high %s" % (_option(a, "a"), _option(b, "b"))
    return _fill(tensor, text, seed, stream, shard, full_shape, layout, threads)


def normal_(tensor: T, mean: float = 0.0, std: float = 1.0, *, seed: int = 0, stream: int = 0, shard: Shard = None,
            full_shape: FullShape = None, layout: Layout = "torch", threads: Optional[int] = None) -> T:
    """Fills `tensor` with values from N(mean, std²).

    PyTorch: torch.nn.init.normal_; Keras: RandomNormal(mean, stddev=std).
    CLI: `weightinit generate normal --mean mean --std std`.

    Example:
        >>> w = torch.empty(3, 5)
        >>> init.normal_(w, std=0.02, seed=7, stream=1)
    """
    text = "normal --mean %s --std %s" % (_option(mean, "mean"), _option(std, "std"))
    return _fill(tensor, text, seed, stream, shard, full_shape, layout, threads)


def trunc_normal_(tensor: T, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0, *, seed: int = 0,
                  stream: int = 0, shard: Shard = None, full_shape: FullShape = None, layout: Layout = "torch",
                  threads: Optional[int] = None) -> T:
    """Fills `tensor` with values from N(mean, std²) truncated to [a, b]:
    absolute bounds, as torch (so with std=0.02 and the default ±2 nothing is
    cut off), every value inside them in every dtype.

    PyTorch: torch.nn.init.trunc_normal_. CLI: `weightinit generate
    truncated-normal --mean mean --std std --low a --high b`.

    Example:
        >>> w = torch.empty(768, 768)
        >>> init.trunc_normal_(w, std=0.02, seed=7)
    """
    text = "truncated-normal --mean %s --std %s --low %s --high %s" % (
        _option(mean, "mean"), _option(std, "std"), _option(a, "a"), _option(b, "b"))
    return _fill(tensor, text, seed, stream, shard, full_shape, layout, threads)


def constant_(tensor: T, val: float, *, seed: int = 0, stream: int = 0, shard: Shard = None,
              full_shape: FullShape = None, layout: Layout = "torch", threads: Optional[int] = None) -> T:
    """Fills `tensor` with the value `val`.

    PyTorch: torch.nn.init.constant_; Keras: Constant(val). CLI:
    `weightinit generate constant --value val`.

    Example:
        >>> init.constant_(torch.empty(3, 5), 0.3)
    """
    text = "constant --value " + _option(val, "val")
    return _fill(tensor, text, seed, stream, shard, full_shape, layout, threads)


def ones_(tensor: T, *, seed: int = 0, stream: int = 0, shard: Shard = None, full_shape: FullShape = None,
          layout: Layout = "torch", threads: Optional[int] = None) -> T:
    """Fills `tensor` with the value 1.

    PyTorch: torch.nn.init.ones_; Keras: Ones. CLI: `weightinit generate ones`.

    Example:
        >>> init.ones_(torch.empty(3, 5))
    """
    return _fill(tensor, "ones", seed, stream, shard, full_shape, layout, threads)


def zeros_(tensor: T, *, seed: int = 0, stream: int = 0, shard: Shard = None, full_shape: FullShape = None,
           layout: Layout = "torch", threads: Optional[int] = None) -> T:
    """Fills `tensor` with the value 0.

    PyTorch: torch.nn.init.zeros_; Keras: Zeros. CLI: `weightinit generate zeros`.

    Example:
        >>> init.zeros_(torch.empty(3, 5))
    """
    return _fill(tensor, "zeros", seed, stream, shard, full_shape, layout, threads)


def eye_(tensor: T, *, seed: int = 0, stream: int = 0, shard: Shard = None, full_shape: FullShape = None,
         layout: Layout = "torch", threads: Optional[int] = None) -> T:
    """Fills the 2-D `tensor` with the identity matrix: w[i, j] = 1 if i = j,
    else 0 (identity of the inputs in Linear layers, as many as possible).

    PyTorch: torch.nn.init.eye_; Keras: Identity. CLI: `weightinit generate eye`.

    Example:
        >>> init.eye_(torch.empty(3, 5))
    """
    return _fill(tensor, "eye", seed, stream, shard, full_shape, layout, threads)


def dirac_(tensor: T, groups: int = 1, *, seed: int = 0, stream: int = 0, shard: Shard = None,
           full_shape: FullShape = None, layout: Layout = "torch", threads: Optional[int] = None) -> T:
    """Fills the 3-, 4- or 5-D convolution weight (out, in, k…) with the Dirac
    delta: w[g·out/groups + i, i, k/2…] = 1 for i < min(out/groups, in) in
    each group g, else 0, so the convolution passes its input channels
    through (as many as possible).

    PyTorch: torch.nn.init.dirac_. CLI: `weightinit generate dirac --groups groups`.

    Example:
        >>> init.dirac_(torch.empty(3, 16, 5, 5))
        >>> init.dirac_(torch.empty(24, 16, 5, 5), 3)
    """
    text = "dirac --groups " + _whole(groups, "groups")
    return _fill(tensor, text, seed, stream, shard, full_shape, layout, threads)


def xavier_uniform_(tensor: T, gain: float = 1.0, *, seed: int = 0, stream: int = 0, shard: Shard = None,
                    full_shape: FullShape = None, layout: Layout = "torch", threads: Optional[int] = None) -> T:
    """Glorot & Bengio (2010): fills `tensor` with values from U(−bound,
    bound), bound = gain·√(6/(fan_in + fan_out)).

    PyTorch: torch.nn.init.xavier_uniform_; Keras: GlorotUniform (gain 1).
    CLI: `weightinit generate xavier-uniform --gain gain`.

    Example:
        >>> w = torch.empty(3, 5)
        >>> init.xavier_uniform_(w, gain=init.calculate_gain("relu"), seed=7)
    """
    text = "xavier-uniform --gain " + _option(gain, "gain")
    return _fill(tensor, text, seed, stream, shard, full_shape, layout, threads)


def xavier_normal_(tensor: T, gain: float = 1.0, *, seed: int = 0, stream: int = 0, shard: Shard = None,
                   full_shape: FullShape = None, layout: Layout = "torch", threads: Optional[int] = None) -> T:
    """Glorot & Bengio (2010): fills `tensor` with values from N(0, σ²),
    σ = gain·√(2/(fan_in + fan_out)) (untruncated, as torch).

    PyTorch: torch.nn.init.xavier_normal_; Keras' GlorotNormal is the
    truncated law (glorot_normal_). CLI: `weightinit generate xavier-normal --gain gain`.

    Example:
        >>> init.xavier_normal_(torch.empty(3, 5), seed=7)
    """
    text = "xavier-normal --gain " + _option(gain, "gain")
    return _fill(tensor, text, seed, stream, shard, full_shape, layout, threads)


def kaiming_uniform_(tensor: T, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", *,
                     seed: int = 0, stream: int = 0, shard: Shard = None, full_shape: FullShape = None,
                     layout: Layout = "torch", threads: Optional[int] = None) -> T:
    """He et al. (2015): fills `tensor` with values from U(−bound, bound),
    bound = gain·√(3/fan), gain = calculate_gain(nonlinearity, a), fan =
    fan_in or fan_out (`mode`; also 'fan_avg' here).

    PyTorch: torch.nn.init.kaiming_uniform_; Keras: HeUniform (relu,
    fan_in). CLI: `weightinit generate kaiming-uniform --mode m
    --nonlinearity n --negative-slope a`.

    Example:
        >>> init.kaiming_uniform_(torch.empty(3, 5), mode="fan_in", nonlinearity="relu", seed=7)
    """
    text = _kaiming("kaiming-uniform", a, mode, nonlinearity)
    return _fill(tensor, text, seed, stream, shard, full_shape, layout, threads)


def kaiming_normal_(tensor: T, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", *,
                    seed: int = 0, stream: int = 0, shard: Shard = None, full_shape: FullShape = None,
                    layout: Layout = "torch", threads: Optional[int] = None) -> T:
    """He et al. (2015): fills `tensor` with values from N(0, σ²), σ =
    gain/√fan, gain = calculate_gain(nonlinearity, a), fan = fan_in or
    fan_out (`mode`; also 'fan_avg' here). Untruncated, as torch.

    PyTorch: torch.nn.init.kaiming_normal_; Keras' HeNormal is the
    truncated law (he_normal_). CLI: `weightinit generate kaiming-normal
    --mode m --nonlinearity n --negative-slope a`.

    Example:
        >>> init.kaiming_normal_(torch.empty(3, 5), mode="fan_out", nonlinearity="relu", seed=7)
    """
    text = _kaiming("kaiming-normal", a, mode, nonlinearity)
    return _fill(tensor, text, seed, stream, shard, full_shape, layout, threads)


def orthogonal_(tensor: T, gain: float = 1, *, method: str = "householder", blocks: int = 1, seed: int = 0,
                stream: int = 0, shard: Shard = None, full_shape: FullShape = None, layout: Layout = "torch",
                threads: Optional[int] = None) -> T:
    """Saxe et al. (2014): fills `tensor` with gain × a Haar-random matrix Q
    with orthonormal rows or columns (QQᵀ = I or QᵀQ = I), the tensor read
    as rows × ∏rest (rows = its first dimension). method: 'householder'
    (default) or 'qr' — other values, both Haar; blocks: k stacked square
    blocks, each orthogonal (LSTM 4, GRU 3). A shard is cut from the whole
    matrix, which every caller computes.

    PyTorch: torch.nn.init.orthogonal_; Keras: Orthogonal(gain). CLI:
    `weightinit generate orthogonal --gain gain --method m --blocks k`.

    Example:
        >>> init.orthogonal_(torch.empty(3, 5), seed=7)
    """
    text = "orthogonal --gain %s --method %s --blocks %s" % (
        _option(gain, "gain"), _name(method, "method"), _whole(blocks, "blocks"))
    return _fill(tensor, text, seed, stream, shard, full_shape, layout, threads)


def sparse_(tensor: T, sparsity: float, std: float = 0.01, *, seed: int = 0, stream: int = 0, shard: Shard = None,
            full_shape: FullShape = None, layout: Layout = "torch", threads: Optional[int] = None) -> T:
    """Martens (2010): fills the 2-D `tensor` with values from N(0, std²),
    with ⌈sparsity·rows⌉ zeros in every column.

    PyTorch: torch.nn.init.sparse_. CLI: `weightinit generate sparse
    --sparsity s --std std`.

    Example:
        >>> init.sparse_(torch.empty(3, 5), sparsity=0.1, seed=7)
    """
    text = "sparse --sparsity %s --std %s" % (_option(sparsity, "sparsity"), _option(std, "std"))
    return _fill(tensor, text, seed, stream, shard, full_shape, layout, threads)


# Keras and LeCun: Keras' names, with Keras' truncated normals (truncated at
# ±2σ, σ divided by 0.8796… so the variance is the target).

def glorot_uniform_(tensor: T, *, seed: int = 0, stream: int = 0, shard: Shard = None, full_shape: FullShape = None,
                    layout: Layout = "torch", threads: Optional[int] = None) -> T:
    """Glorot & Bengio (2010): U(±√(6/(fan_in + fan_out))).

    Keras: GlorotUniform (glorot_uniform); PyTorch: xavier_uniform_; JAX:
    glorot_uniform. CLI: `weightinit generate glorot-uniform`.

    Example:
        >>> init.glorot_uniform_(np.empty((3, 3, 64, 128), np.float32), layout="keras", seed=7)
    """
    return _fill(tensor, "xavier-uniform", seed, stream, shard, full_shape, layout, threads)


def glorot_normal_(tensor: T, *, seed: int = 0, stream: int = 0, shard: Shard = None, full_shape: FullShape = None,
                   layout: Layout = "torch", threads: Optional[int] = None) -> T:
    """Glorot & Bengio (2010), truncated: N(0, σ²) truncated at ±2σ, σ =
    √(2/(fan_in + fan_out))/0.87962566103423978, so the variance is
    2/(fan_in + fan_out).

    Keras: GlorotNormal (glorot_normal); JAX: glorot_normal. CLI:
    `weightinit generate xavier-normal --truncated`.

    Example:
        >>> init.glorot_normal_(torch.empty(128, 64), seed=7)
    """
    return _fill(tensor, "xavier-normal --truncated", seed, stream, shard, full_shape, layout, threads)


def he_uniform_(tensor: T, *, seed: int = 0, stream: int = 0, shard: Shard = None, full_shape: FullShape = None,
                layout: Layout = "torch", threads: Optional[int] = None) -> T:
    """He et al. (2015): U(±√(6/fan_in)).

    Keras: HeUniform (he_uniform); PyTorch: kaiming_uniform_(nonlinearity=
    "relu"); JAX: he_uniform. CLI: `weightinit generate kaiming-uniform`.

    Example:
        >>> init.he_uniform_(torch.empty(128, 64), seed=7)
    """
    return _fill(tensor, "kaiming-uniform", seed, stream, shard, full_shape, layout, threads)


def he_normal_(tensor: T, *, seed: int = 0, stream: int = 0, shard: Shard = None, full_shape: FullShape = None,
               layout: Layout = "torch", threads: Optional[int] = None) -> T:
    """He et al. (2015), truncated: N(0, σ²) truncated at ±2σ, σ =
    √(2/fan_in)/0.87962566103423978, so the variance is 2/fan_in.

    Keras: HeNormal (he_normal); JAX: he_normal. CLI: `weightinit generate
    kaiming-normal --truncated`.

    Example:
        >>> init.he_normal_(torch.empty(128, 64), seed=7)
    """
    return _fill(tensor, "kaiming-normal --truncated", seed, stream, shard, full_shape, layout, threads)


def lecun_uniform_(tensor: T, *, seed: int = 0, stream: int = 0, shard: Shard = None, full_shape: FullShape = None,
                   layout: Layout = "torch", threads: Optional[int] = None) -> T:
    """LeCun et al. (1998): U(±√(3/fan_in)).

    Keras: LecunUniform (lecun_uniform); JAX: lecun_uniform. CLI:
    `weightinit generate lecun-uniform`.

    Example:
        >>> init.lecun_uniform_(torch.empty(128, 64), seed=7)
    """
    return _fill(tensor, "lecun-uniform", seed, stream, shard, full_shape, layout, threads)


def lecun_normal_(tensor: T, *, seed: int = 0, stream: int = 0, shard: Shard = None, full_shape: FullShape = None,
                  layout: Layout = "torch", threads: Optional[int] = None) -> T:
    """LeCun et al. (1998), truncated: N(0, σ²) truncated at ±2σ, σ =
    √(1/fan_in)/0.87962566103423978, so the variance is 1/fan_in (SELU
    networks).

    Keras: LecunNormal (lecun_normal); JAX: lecun_normal. CLI: `weightinit
    generate lecun-normal --truncated`.

    Example:
        >>> init.lecun_normal_(torch.empty(128, 64), seed=7)
    """
    return _fill(tensor, "lecun-normal --truncated", seed, stream, shard, full_shape, layout, threads)


_DISTRIBUTIONS = {"truncated_normal": "truncated-normal", "untruncated_normal": "normal"}


def variance_scaling_(tensor: T, scale: float = 1.0, mode: str = "fan_in", distribution: str = "truncated_normal", *,
                      seed: int = 0, stream: int = 0, shard: Shard = None, full_shape: FullShape = None,
                      layout: Layout = "torch", threads: Optional[int] = None) -> T:
    """Variance scaling: variance scale/n, n = fan_in, fan_out or
    (fan_in + fan_out)/2 (`mode`); distribution 'truncated_normal' (N(0, σ²)
    truncated at ±2σ, σ = √(scale/n)/0.87962566103423978; Keras' default),
    'untruncated_normal' (also 'normal', the CLI's name; σ = √(scale/n)) or
    'uniform' (U(±√(3·scale/n))).

    Keras: VarianceScaling (whose 'normal' is truncated; here it is the
    CLI's untruncated 'normal'); JAX: variance_scaling. CLI: `weightinit
    generate variance-scaling --scale s --mode m --distribution d`.

    Example:
        >>> init.variance_scaling_(torch.empty(128, 64), 2.0, "fan_in", "uniform", seed=7)
    """
    name = _DISTRIBUTIONS.get(_name(distribution, "distribution").lower(), distribution)
    text = "variance-scaling --scale %s --mode %s --distribution %s" % (
        _option(scale, "scale"), _name(mode, "mode"), _name(name, "distribution"))
    return _fill(tensor, text, seed, stream, shard, full_shape, layout, threads)


def uniform_fan_in_(tensor: T, *, seed: int = 0, stream: int = 0, shard: Shard = None, full_shape: FullShape = None,
                    layout: Layout = "torch", threads: Optional[int] = None) -> T:
    """U(±1/√fan_in): PyTorch's default for nn.Linear and nn.Conv weights
    (what their reset_parameters' kaiming_uniform_(a=√5) works out to).

    PyTorch: nn.Linear / nn.Conv*d's own initialisation. CLI: `weightinit
    generate uniform-fan-in`.

    Example:
        >>> layer = torch.nn.Linear(64, 128)
        >>> init.uniform_fan_in_(layer.weight.data, seed=7, stream=weightinit.name_stream("fc.weight"))
    """
    return _fill(tensor, "uniform-fan-in", seed, stream, shard, full_shape, layout, threads)


def delta_orthogonal_(tensor: T, gain: float = 1.0, *, seed: int = 0, stream: int = 0, shard: Shard = None,
                      full_shape: FullShape = None, layout: Layout = "torch", threads: Optional[int] = None) -> T:
    """Xiao et al. (2018): a 3-, 4- or 5-D convolution weight (out, in, k…),
    out ≥ in, zero except at the kernel centre (k // 2 on each axis), which
    holds gain × a Haar-random out × in matrix with orthonormal columns.

    JAX: delta_orthogonal; TensorFlow: ConvolutionDeltaOrthogonal. CLI:
    `weightinit generate delta-orthogonal --gain gain`.

    Example:
        >>> init.delta_orthogonal_(torch.empty(64, 32, 3, 3), seed=7)
    """
    text = "delta-orthogonal --gain " + _option(gain, "gain")
    return _fill(tensor, text, seed, stream, shard, full_shape, layout, threads)


# ---- calculate_gain

_UNIT_GAIN = ("linear", "identity", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity: str, param: Optional[float] = None) -> float:
    """The recommended gain for a nonlinearity, as the kaiming_* functions and
    `--nonlinearity` apply it:

    ================= =====================================
    nonlinearity      gain
    ================= =====================================
    linear, identity  1
    conv{1,2,3}d      1
    conv_transpose…   1
    sigmoid           1
    tanh              5/3
    relu              √2
    leaky_relu        √(2/(1 + negative_slope²)), slope `param` (default 0.01)
    selu              3/4
    ================= =====================================

    PyTorch: torch.nn.init.calculate_gain (the same table and defaults;
    'identity' and the CLI's spellings — 'leaky-relu', 'conv-transpose2d' —
    are accepted too). Pure Python: no library call.

    Example:
        >>> init.calculate_gain("leaky_relu", 0.2)   # leaky_relu with negative_slope=0.2
        1.3867504905630728
    """
    if not isinstance(nonlinearity, str):
        raise TypeError("nonlinearity must be a str, not %s" % type_name(nonlinearity))
    name = nonlinearity.lower().replace("-", "_")
    if name in _UNIT_GAIN:
        return 1
    if name == "tanh":
        return 5.0 / 3
    if name == "relu":
        return math.sqrt(2.0)
    if name == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, bool) or not isinstance(param, numbers.Real):
            raise ValueError("negative_slope %s not a valid number" % shown(param))
        else:
            slope = float(param)
        return math.sqrt(2.0 / (1 + slope ** 2))
    if name == "selu":
        return 3.0 / 4
    raise ValueError("Unsupported nonlinearity %s" % shown(nonlinearity))


# ---- torch.nn.init's deprecated names without the underscore

def _deprecated(function: Callable[..., Any]) -> Callable[..., Any]:
    old = function.__name__[:-1]

    @functools.wraps(function)
    def deprecated(*args: Any, **kwargs: Any) -> Any:
        warnings.warn("`init.%s` is now deprecated in favor of `init.%s`." % (old, function.__name__), FutureWarning,
                      stacklevel=2)
        return function(*args, **kwargs)

    deprecated.__name__ = deprecated.__qualname__ = old
    deprecated.__doc__ = ("%s(...)\n\n    Deprecated, as in torch.nn.init: use %s (this calls it, with a "
                          "FutureWarning).\n" % (old, function.__name__))
    return deprecated


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)
