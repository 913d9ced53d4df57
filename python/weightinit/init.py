"""`torch.nn.init` over libweightinit: the same function names, parameter
names and defaults, filling numpy arrays and PyTorch CPU tensors in place
(and returning them) with values reproducible from `seed=` and `stream=`.

Every function here is one scheme of `weightinit generate` with its options,
so `kaiming_normal_(t, seed=7, stream=3)` holds exactly the bytes of
`weightinit generate kaiming-normal --nonlinearity leaky-relu
--negative-slope 0 --shape <t.shape> --seed 7 --stream 3 --dtype <t.dtype>`.

Keyword-only on every function:

- seed (int, 0 … 2⁶⁴−1, default 0) and stream (int, 0 … 2³²−1, default 0):
  the random stream, as the CLI's --seed and --stream. Give each tensor its
  own stream (e.g. stream=weightinit.name_stream("fc1.weight"), what a
  spec file uses); equal seed, stream, scheme and shape give equal values.
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
import functools
import re

from ._core import INT64, _integer, _number, _text, fill
from ._text import shown


def _fill(tensor, text, seed, stream, shard, full_shape, layout, threads):
    return fill(tensor, text, seed=seed, stream=stream, shard=shard, full_shape=full_shape, layout=layout,
                threads=threads)

__all__ = [
    "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_", "dirac_",
    "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_", "sparse_",
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


def uniform_(tensor, a=0.0, b=1.0, *,
             seed=0, stream=0, shard=None, full_shape=None, layout="torch", threads=None):
    """U[a, b). `weightinit generate uniform --low a --high b`."""
    text = "uniform --low %s --high %s" % (_option(a, "a"), _option(b, "b"))
    return _fill(tensor, text, seed, stream, shard, full_shape, layout, threads)


def normal_(tensor, mean=0.0, std=1.0, *,
            seed=0, stream=0, shard=None, full_shape=None, layout="torch", threads=None):
    """N(mean, std²). `weightinit generate normal --mean … --std …`."""
    text = "normal --mean %s --std %s" % (_option(mean, "mean"), _option(std, "std"))
    return _fill(tensor, text, seed, stream, shard, full_shape, layout, threads)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, *,
                  seed=0, stream=0, shard=None, full_shape=None, layout="torch", threads=None):
    """N(mean, std²) truncated to [a, b] — absolute bounds, as torch.
    `weightinit generate truncated-normal --mean … --std … --low a --high b`."""
    text = "truncated-normal --mean %s --std %s --low %s --high %s" % (
        _option(mean, "mean"), _option(std, "std"), _option(a, "a"), _option(b, "b"))
    return _fill(tensor, text, seed, stream, shard, full_shape, layout, threads)


def constant_(tensor, val, *,
              seed=0, stream=0, shard=None, full_shape=None, layout="torch", threads=None):
    """Every element `val`. `weightinit generate constant --value val`."""
    text = "constant --value " + _option(val, "val")
    return _fill(tensor, text, seed, stream, shard, full_shape, layout, threads)


def ones_(tensor, *, seed=0, stream=0, shard=None, full_shape=None, layout="torch", threads=None):
    """Every element 1."""
    return _fill(tensor, "ones", seed, stream, shard, full_shape, layout, threads)


def zeros_(tensor, *, seed=0, stream=0, shard=None, full_shape=None, layout="torch", threads=None):
    """Every element 0."""
    return _fill(tensor, "zeros", seed, stream, shard, full_shape, layout, threads)


def eye_(tensor, *, seed=0, stream=0, shard=None, full_shape=None, layout="torch", threads=None):
    """The identity matrix (2-D)."""
    return _fill(tensor, "eye", seed, stream, shard, full_shape, layout, threads)


def dirac_(tensor, groups=1, *,
           seed=0, stream=0, shard=None, full_shape=None, layout="torch", threads=None):
    """The Dirac delta of a 3-, 4- or 5-D convolution weight, per group."""
    text = "dirac --groups " + _whole(groups, "groups")
    return _fill(tensor, text, seed, stream, shard, full_shape, layout, threads)


def xavier_uniform_(tensor, gain=1.0, *,
                    seed=0, stream=0, shard=None, full_shape=None, layout="torch", threads=None):
    """Glorot & Bengio (2010): U(±gain·√(6/(fan_in + fan_out)))."""
    text = "xavier-uniform --gain " + _option(gain, "gain")
    return _fill(tensor, text, seed, stream, shard, full_shape, layout, threads)


def xavier_normal_(tensor, gain=1.0, *,
                   seed=0, stream=0, shard=None, full_shape=None, layout="torch", threads=None):
    """Glorot & Bengio (2010): N(0, σ²), σ = gain·√(2/(fan_in + fan_out))."""
    text = "xavier-normal --gain " + _option(gain, "gain")
    return _fill(tensor, text, seed, stream, shard, full_shape, layout, threads)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", *,
                     seed=0, stream=0, shard=None, full_shape=None, layout="torch", threads=None):
    """He et al. (2015): U(±gain·√(3/fan)), gain = calculate_gain(nonlinearity, a)."""
    text = _kaiming("kaiming-uniform", a, mode, nonlinearity)
    return _fill(tensor, text, seed, stream, shard, full_shape, layout, threads)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", *,
                    seed=0, stream=0, shard=None, full_shape=None, layout="torch", threads=None):
    """He et al. (2015): N(0, σ²), σ = gain/√fan, gain = calculate_gain(nonlinearity, a)."""
    text = _kaiming("kaiming-normal", a, mode, nonlinearity)
    return _fill(tensor, text, seed, stream, shard, full_shape, layout, threads)


def orthogonal_(tensor, gain=1, *, method="householder", blocks=1,
                seed=0, stream=0, shard=None, full_shape=None, layout="torch", threads=None):
    """Saxe et al. (2014): gain × a Haar-random matrix with orthonormal rows or
    columns, the tensor flattened to rows × ∏rest. method: 'householder' or
    'qr' (different values, both Haar); blocks: k stacked square blocks, each
    orthogonal (LSTM 4, GRU 3). A shard is cut from the whole matrix, which
    every caller computes."""
    text = "orthogonal --gain %s --method %s --blocks %s" % (
        _option(gain, "gain"), _name(method, "method"), _whole(blocks, "blocks"))
    return _fill(tensor, text, seed, stream, shard, full_shape, layout, threads)


def sparse_(tensor, sparsity, std=0.01, *,
            seed=0, stream=0, shard=None, full_shape=None, layout="torch", threads=None):
    """Martens (2010): N(0, std²) with ⌈sparsity·rows⌉ zeros in every column (2-D)."""
    text = "sparse --sparsity %s --std %s" % (_option(sparsity, "sparsity"), _option(std, "std"))
    return _fill(tensor, text, seed, stream, shard, full_shape, layout, threads)


# Keras and LeCun: Keras' names, with Keras' truncated normals (truncated at
# ±2σ, σ divided by 0.8796… so the variance is the target).

def glorot_uniform_(tensor, *, seed=0, stream=0, shard=None, full_shape=None, layout="torch", threads=None):
    """Keras glorot_uniform: U(±√(6/(fan_in + fan_out)))."""
    return _fill(tensor, "xavier-uniform", seed, stream, shard, full_shape, layout, threads)


def glorot_normal_(tensor, *, seed=0, stream=0, shard=None, full_shape=None, layout="torch", threads=None):
    """Keras glorot_normal: truncated normal with variance 2/(fan_in + fan_out)."""
    return _fill(tensor, "xavier-normal --truncated", seed, stream, shard, full_shape, layout, threads)


def he_uniform_(tensor, *, seed=0, stream=0, shard=None, full_shape=None, layout="torch", threads=None):
    """Keras he_uniform: U(±√(6/fan_in))."""
    return _fill(tensor, "kaiming-uniform", seed, stream, shard, full_shape, layout, threads)


def he_normal_(tensor, *, seed=0, stream=0, shard=None, full_shape=None, layout="torch", threads=None):
    """Keras he_normal: truncated normal with variance 2/fan_in."""
    return _fill(tensor, "kaiming-normal --truncated", seed, stream, shard, full_shape, layout, threads)


def lecun_uniform_(tensor, *, seed=0, stream=0, shard=None, full_shape=None, layout="torch", threads=None):
    """LeCun et al. (1998): U(±√(3/fan_in))."""
    return _fill(tensor, "lecun-uniform", seed, stream, shard, full_shape, layout, threads)


def lecun_normal_(tensor, *, seed=0, stream=0, shard=None, full_shape=None, layout="torch", threads=None):
    """Keras lecun_normal: truncated normal with variance 1/fan_in (SELU networks)."""
    return _fill(tensor, "lecun-normal --truncated", seed, stream, shard, full_shape, layout, threads)


_DISTRIBUTIONS = {"truncated_normal": "truncated-normal", "untruncated_normal": "normal"}


def variance_scaling_(tensor, scale=1.0, mode="fan_in", distribution="truncated_normal", *,
                      seed=0, stream=0, shard=None, full_shape=None, layout="torch", threads=None):
    """Keras VarianceScaling: variance scale/fan; distribution 'truncated_normal'
    (Keras' default), 'untruncated_normal' (also 'normal', the CLI's name) or 'uniform'."""
    name = _DISTRIBUTIONS.get(_name(distribution, "distribution").lower(), distribution)
    text = "variance-scaling --scale %s --mode %s --distribution %s" % (
        _option(scale, "scale"), _name(mode, "mode"), _name(name, "distribution"))
    return _fill(tensor, text, seed, stream, shard, full_shape, layout, threads)


def uniform_fan_in_(tensor, *, seed=0, stream=0, shard=None, full_shape=None, layout="torch", threads=None):
    """U(±1/√fan_in): PyTorch's default for nn.Linear and nn.Conv weights
    (what kaiming_uniform_(a=√5) works out to)."""
    return _fill(tensor, "uniform-fan-in", seed, stream, shard, full_shape, layout, threads)


def delta_orthogonal_(tensor, gain=1.0, *,
                      seed=0, stream=0, shard=None, full_shape=None, layout="torch", threads=None):
    """Xiao et al. (2018): a convolution weight that is zero except at the
    kernel centre, which holds gain × an orthonormal out × in matrix (out ≥ in)."""
    text = "delta-orthogonal --gain " + _option(gain, "gain")
    return _fill(tensor, text, seed, stream, shard, full_shape, layout, threads)
