"""The one path every Python fill takes: a scheme in the CLI's syntax, parsed
once by the C library (and cached), and an array or tensor checked and
handed over by address."""
import ctypes
import functools
import numbers
import operator
import sys

from . import _library as L
from ._text import shown, type_name


class WeightInitError(Exception):
    """An error reported by libweightinit: `status` is the C status name
    (e.g. "WEIGHTINIT_ERROR_INVALID_PARAMETER"), the message is the library's."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class WeightInitValueError(WeightInitError, ValueError):
    """Invalid input: a scheme, parameter, shape, region or size the library refuses."""


class WeightInitRuntimeError(WeightInitError, RuntimeError):
    """The computation failed (a LAPACK error, an unavailable kernel path)."""


def _raise(status):
    library = L.load()[0]
    message = (library.weightinit_last_error() or b"").decode("utf-8", "replace")
    name = L.STATUS_NAMES.get(status, "WEIGHTINIT_UNKNOWN_STATUS %d" % status)
    kind = WeightInitRuntimeError if status == L.FAILURE or status not in L.STATUS_NAMES else WeightInitValueError
    raise kind(name, message)


# ---- Arguments: every value that goes to C is checked here, with the
# argument's name in the message. Numbers are int, float or numpy scalars
# (numbers.Real), integers int or numpy integers (operator.index); bool is
# neither. Text is str.

INT64 = (-(1 << 63), (1 << 63) - 1, "−2^63 … 2^63 − 1")


def _integer(value, name, bounds):
    """`value` as an int inside bounds = (low, high, how the range reads):
    TypeError unless it is an integer, ValueError outside the range (C
    would wrap it silently)."""
    low, high, text = bounds
    if type(value) is int and low <= value <= high:  # the common case, first
        return value
    if isinstance(value, bool):
        raise TypeError("%s must be an int, not bool" % name)
    try:
        number = operator.index(value)
    except TypeError:
        raise TypeError("%s must be an int, not %s" % (name, type_name(value))) from None
    if not low <= number <= high:
        raise ValueError("%s must be an int in %s, not %s" % (name, text, shown(number)))
    return number


def _number(value, name):
    """`value` as a float: TypeError unless it is a number, ValueError if no float holds it."""
    if type(value) is float:
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError("%s must be a number (int, float or a numpy scalar), not %s" % (name, type_name(value)))
    try:
        return float(value)
    except OverflowError:
        raise ValueError("%s %s is too large for a float" % (name, shown(value))) from None


def _text(value, name):
    """`value`, a str, as the NUL-terminated UTF-8 C reads: TypeError unless
    it is a str, ValueError if it holds a NUL (C would read only the text
    before it) or a lone surrogate (not UTF-8)."""
    if not isinstance(value, str):
        raise TypeError("%s must be a str, not %s" % (name, type_name(value)))
    if "\0" in value:
        raise ValueError("%s %s holds a NUL character (at %d), which would end the text in C"
                         % (name, shown(value), value.index("\0")))
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError("%s %s is not valid Unicode: a lone surrogate at %d" % (name, shown(value), error.start)) from None


def parse(text, name="scheme"):
    """The parsed weightinit_scheme for `text` (cached: a scheme is parsed
    once); `name` is the argument that gave it, for messages."""
    if not isinstance(text, str):  # before the cache, which would refuse an unhashable value unclearly
        _text(text, name)
    return _parse(text, name)


@functools.lru_cache(maxsize=1024)
def _parse(text, name):
    library = L.load()[0]
    scheme = L.Scheme()
    status = library.weightinit_scheme_parse(_text(text, name), scheme)
    if status != L.OK:
        _raise(status)
    return scheme


def describe(text):
    """`text` as `weightinit generate` spells it: every parameter that has a
    default written out (optional ones, such as truncated-normal's bounds,
    only when given; flags only when on)."""
    library = L.load()[0]
    scheme = parse(text, "text")
    length = ctypes.c_size_t(0)
    buffer = ctypes.create_string_buffer(512)
    status = library.weightinit_scheme_describe(scheme, buffer, len(buffer), ctypes.byref(length))
    if status != L.OK:
        _raise(status)
    return buffer.value.decode("utf-8")


@functools.lru_cache(maxsize=256)
def _dims(shape):
    return (ctypes.c_int64 * len(shape))(*shape)


_LAYOUTS = "layout must be 'torch', 'keras' or a pair of axes (in_axis, out_axis), not %s"


def _layout(layout):
    if isinstance(layout, str):
        if layout == "torch":
            return L.LAYOUT_TORCH, 0, 0
        if layout == "keras":
            return L.LAYOUT_KERAS, 0, 0
        raise ValueError(_LAYOUTS % shown(layout))
    if isinstance(layout, tuple):
        if len(layout) != 2:
            raise ValueError(_LAYOUTS % shown(layout))
        return L.LAYOUT_AXES, _integer(layout[0], "in_axis of layout", INT64), _integer(layout[1], "out_axis of layout", INT64)
    raise TypeError(_LAYOUTS % type_name(layout))


_UNSIGNED = {bits: (0, (1 << bits) - 1, "0 … 2^%d − 1" % bits) for bits in (32, 64)}
_THREADS = (1, (1 << 31) - 1, "1 … 2^31 − 1 (or None for every core)")


def _unsigned(value, name, bits):
    return _integer(value, name, _UNSIGNED[bits])


def _threads(threads):
    return 0 if threads is None else _integer(threads, "threads", _THREADS)


_NUMPY_CODES = None
_TORCH_CODES = None


def _numpy_codes(np):
    global _NUMPY_CODES
    if _NUMPY_CODES is None:
        _NUMPY_CODES = {np.dtype(np.float32): L.F32, np.dtype(np.float64): L.F64, np.dtype(np.float16): L.F16}
    return _NUMPY_CODES


def _torch_codes(torch):
    global _TORCH_CODES
    if _TORCH_CODES is None:
        _TORCH_CODES = {torch.float32: L.F32, torch.float64: L.F64, torch.float16: L.F16, torch.bfloat16: L.BF16}
    return _TORCH_CODES


def target(tensor):
    """(address, bytes, dtype code, shape) of a writable C-contiguous numpy
    array or contiguous CPU torch tensor that may be changed in place (not an
    inference tensor outside inference mode, not a ZeroTensor); TypeError or
    ValueError otherwise. Nothing is read or written here."""
    np = sys.modules.get("numpy")
    if np is not None and isinstance(tensor, np.ndarray):
        code = _numpy_codes(np).get(tensor.dtype)
        if code is None:
            raise TypeError("numpy arrays of float32, float64 or float16 (native byte order) can be filled, not %s"
                            % shown(str(tensor.dtype)))
        flags = tensor.flags
        if not flags.c_contiguous:
            raise ValueError("the numpy array must be C-contiguous (use numpy.ascontiguousarray, fill, then copy back)")
        if not flags.writeable:
            raise ValueError("the numpy array is read-only")
        size = tensor.nbytes
        # The address through the buffer protocol: 0.4 µs, where
        # __array_interface__ or .ctypes.data take 1.2–1.3 µs (measured).
        address = ctypes.addressof(ctypes.c_char.from_buffer(tensor)) if size else 0
        return address, size, code, tensor.shape
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(tensor, torch.Tensor):
        code = _torch_codes(torch).get(tensor.dtype)
        if code is None:
            raise TypeError("torch tensors of float32, float64, float16 or bfloat16 can be filled, not %s" % tensor.dtype)
        if tensor.device.type != "cpu":
            raise ValueError("only CPU tensors can be filled, not a tensor on %s" % tensor.device)
        if tensor.layout != torch.strided:
            raise ValueError("only dense (strided) tensors can be filled, not %s" % tensor.layout)
        if not tensor.is_contiguous():
            raise ValueError("the tensor must be contiguous (use .contiguous(), fill, then copy back)")
        if tensor.is_inference() and not torch.is_inference_mode_enabled():
            # torch.nn.init raises here too (RuntimeError "Inplace update to inference tensor outside InferenceMode").
            raise ValueError("an inference tensor can be changed in place only inside torch.inference_mode(), as "
                             "torch.nn.init's fills can: fill it there, or fill a clone")
        zero = getattr(tensor, "_is_zerotensor", None)  # private, as torch's own check of it
        if zero is not None and zero():
            raise ValueError("a ZeroTensor cannot be changed (torch.nn.init refuses it too): fill a clone")
        return tensor.data_ptr(), tensor.numel() * tensor.element_size(), code, tuple(tensor.shape)
    raise TypeError("expected a numpy.ndarray or a torch.Tensor, not %s" % type_name(tensor))


def _staged(tensor):
    """A new tensor to fill instead of `tensor` when `tensor` is a torch view
    with the negation bit (z.conj().imag, x._neg_view()), else None. Such a
    view reads its memory negated; torch.nn.init's fills write values that
    read back as the sample, so the bytes go to a plain tensor that torch
    then copies in (see _finish)."""
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(tensor, torch.Tensor) and tensor.is_neg():
        return torch.empty(tensor.shape, dtype=tensor.dtype)
    return None


def _finish(tensor, staged):
    """After a successful fill: copy a staged fill in (torch negates it into
    the view's memory, and counts the change), or tell autograd a torch
    tensor changed in place, as torch.nn.init's own in-place ops do."""
    torch = sys.modules.get("torch")
    if torch is None or not isinstance(tensor, torch.Tensor):
        return
    if staged is not None:
        with torch.no_grad():
            tensor.copy_(staged)
        return
    increment = getattr(getattr(torch.autograd, "graph", None), "increment_version", None)
    if increment is not None:
        increment(tensor)


def shard_range(index, count, length):
    """Block `index` of `count` of range(length), as `weightinit generate --shard index/count`:
    length // count each, the last also taking the remainder. Returns (start, stop)."""
    library = L.load()[0]
    start, stop = ctypes.c_int64(), ctypes.c_int64()
    status = library.weightinit_shard_range(_integer(index, "index", INT64), _integer(count, "count", INT64),
                                            _integer(length, "length", INT64), ctypes.byref(start), ctypes.byref(stop))
    if status != L.OK:
        _raise(status)
    return start.value, stop.value


def _region(shape, shard, full_shape):
    """The (start, stop, block shape) of `shard` = (index, count, dim) of `full_shape`."""
    if shard is None or full_shape is None:
        raise ValueError("shard=(index, count, dim) and full_shape= go together")
    try:
        full = tuple(full_shape)
        index, count, dim = shard
    except (TypeError, ValueError):
        raise TypeError("shard must be (index, count, dim) and full_shape a sequence of ints") from None
    full = tuple(_integer(d, "full_shape[%d]" % i, INT64) for i, d in enumerate(full))
    index, count, dim = (_integer(v, "shard's " + what, INT64) for v, what in zip((index, count, dim), ("index", "count", "dim")))
    if not -len(full) <= dim < len(full):
        raise ValueError("shard dim %d is not an axis of full_shape %s" % (dim, shown(full)))
    dim %= len(full)
    begin, end = shard_range(index, count, full[dim])
    start = [0] * len(full)
    stop = list(full)
    start[dim], stop[dim] = begin, end
    block = full[:dim] + (end - begin,) + full[dim + 1:]
    if tuple(shape) != block:
        raise ValueError("the tensor has shape %s, but shard %d of %d along dim %d of full_shape %s has shape %s"
                         % (shown(tuple(shape)), index, count, dim, shown(full), shown(block)))
    return start, stop, full


def fill(tensor, scheme, *, seed=0, stream=0, shard=None, full_shape=None, layout="torch", threads=None):
    """Fills `tensor` in place with `scheme`, given in the syntax of
    `weightinit generate` ("kaiming-normal --mode fan-out"), and returns it:
    the values of `weightinit generate <scheme> --shape <tensor.shape> --seed
    <seed> --stream <stream> --dtype <tensor's dtype>`, byte for byte.

    shard=(index, count, dim) with full_shape=: `tensor` is block `index` of
    `count` along `dim` of a tensor of `full_shape` (fans come from
    full_shape) and gets exactly that block's bytes. layout: 'torch' (out,
    in, kernel…), 'keras' (kernel…, in, out) or (in_axis, out_axis).
    threads: worker threads (None: every core); never changes a value,
    except orthogonal matrices' from 1024 rows and columns up (LAPACK's
    rounding follows OpenBLAS's thread count there).

    seed: an int in 0 … 2^64 − 1, stream in 0 … 2^32 − 1; every integer an
    int or numpy integer, not bool (TypeError), inside the range C takes
    (ValueError); scheme a str without NUL. A torch view with the negation
    bit is filled as torch.nn.init fills it: it reads back as the values.
    """
    library = L.load()[0]
    parsed = parse(scheme)
    address, size, code, shape = target(tensor)
    seed = _unsigned(seed, "seed", 64)
    stream = _unsigned(stream, "stream", 32)
    kind, in_axis, out_axis = _layout(layout)
    workers = _threads(threads)
    staged = _staged(tensor)
    if staged is not None:
        address = staged.data_ptr()
    if shard is not None or full_shape is not None:
        start, stop, full = _region(shape, shard, full_shape)
        if size == 0:
            return tensor
        status = library.weightinit_fill_region(
            parsed, address, size, code, len(full), _dims(full), _dims(tuple(start)), _dims(tuple(stop)),
            kind, in_axis, out_axis, seed, stream, workers)
    else:
        if size == 0:
            # As torch.nn.init: a tensor with no elements is left as it is.
            return tensor
        if not shape:
            shape = (1,)  # a 0-d tensor holds one value: that of shape (1,)
        status = library.weightinit_fill(parsed, address, size, code, len(shape), _dims(shape),
                                         kind, in_axis, out_axis, seed, stream, workers)
    if status != L.OK:
        _raise(status)
    _finish(tensor, staged)
    return tensor


def name_stream(name):
    """The stream `weightinit generate --spec` gives a tensor called `name`
    that names no "stream" (FNV-1a of its UTF-8 bytes): fill with
    stream=name_stream(name) to reproduce that tensor of a spec file."""
    library = L.load()[0]
    stream = ctypes.c_uint32()
    status = library.weightinit_name_stream(_text(name, "name"), ctypes.byref(stream))
    if status != L.OK:
        _raise(status)
    return stream.value
