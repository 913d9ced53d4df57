"""The one path every Python fill takes: a scheme in the CLI's syntax, parsed
once by the C library (and cached), and an array or tensor checked and
handed over by address."""
from __future__ import annotations

import ctypes
import functools
import numbers
import operator
import sys
import threading
from typing import Optional, Sequence, Tuple, TypeVar, Union

from . import _library as L
from ._text import shown, type_name


T = TypeVar("T")


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


def _raise(status, last_error=None):
    """Raises the error of a failed call: this thread's last error (or
    `last_error`, read on another thread) and the library's name for
    `status` (weightinit_status_name). WEIGHTINIT_ERROR_FAILURE,
    WEIGHTINIT_ERROR_CANCELLED and a status the library does not name are
    WeightInitRuntimeError; every other status is about the input, a
    WeightInitValueError."""
    library = L.load()[0]
    message = ((library.weightinit_last_error() if last_error is None else last_error) or b"").decode("utf-8", "replace")
    name = (library.weightinit_status_name(status) or b"").decode("ascii", "replace")
    if name in ("", "WEIGHTINIT_UNKNOWN_STATUS"):
        name = "WEIGHTINIT_UNKNOWN_STATUS %d" % status
    failed = name in ("WEIGHTINIT_ERROR_FAILURE", "WEIGHTINIT_ERROR_CANCELLED") or "UNKNOWN" in name
    kind = WeightInitRuntimeError if failed else WeightInitValueError
    raise kind(name, message)


# ---- Arguments: every value that goes to C is checked here, with the
# argument's name in the message. Numbers are int, float or numpy scalars
# (numbers.Real), integers int or numpy integers (operator.index); bool is
# neither. Text is str.

INT64 = (-(1 << 63), (1 << 63) - 1, "−2^63 … 2^63 − 1")
INT32 = (-(1 << 31), (1 << 31) - 1, "−2^31 … 2^31 − 1")


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


def describe(text: str) -> str:
    """`text` as `weightinit generate` spells it: every parameter that has a
    default written out (optional ones, such as truncated-normal's bounds,
    only when given; flags only when on).

    >>> weightinit.describe("he-normal --truncated")
    'kaiming-normal --mode fan-in --nonlinearity relu --truncated'
    """
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


_NUMPY_INTEGER_CODES = None


def _numpy_integer_codes(np):
    global _NUMPY_INTEGER_CODES
    if _NUMPY_INTEGER_CODES is None:
        _NUMPY_INTEGER_CODES = {np.dtype(np.int64): L.I64, np.dtype(np.int32): L.I32, np.dtype(np.uint8): L.U8,
                                np.dtype(np.bool_): L.BOOL}
    return _NUMPY_INTEGER_CODES


def _is_bfloat16(dtype):
    """Whether a numpy dtype is ml_dtypes.bfloat16 (what JAX, Keras and
    TensorFlow hand numpy for bfloat16): 2 bytes, the upper half of a float32."""
    return dtype.name == "bfloat16" and dtype.itemsize == 2 and getattr(dtype.type, "__module__", "") == "ml_dtypes"


def target(tensor, integers=False):
    """(address, bytes, dtype code, shape) of a writable C-contiguous numpy
    array or contiguous CPU torch tensor that may be changed in place (not an
    inference tensor outside inference mode, not a ZeroTensor); TypeError or
    ValueError otherwise. Nothing is read or written here. `integers`: also
    the integer and bool dtypes a model plan's tensors may have (ABI 1.1)."""
    np = sys.modules.get("numpy")
    if np is not None and isinstance(tensor, np.ndarray):
        code = _numpy_codes(np).get(tensor.dtype)
        if code is None and _is_bfloat16(tensor.dtype):
            code = L.BF16
        if code is None and integers:
            code = _numpy_integer_codes(np).get(tensor.dtype)
        if code is None and integers:
            raise TypeError("numpy arrays of float32, float64, float16, ml_dtypes.bfloat16, int64, int32, uint8 or "
                            "bool (native byte order) can be filled by a plan, not %s" % shown(str(tensor.dtype)))
        if code is None:
            raise TypeError("numpy arrays of float32, float64, float16 (native byte order) or ml_dtypes.bfloat16 can "
                            "be filled, not %s" % shown(str(tensor.dtype)))
        flags = tensor.flags
        if not flags.c_contiguous:
            raise ValueError("the numpy array must be C-contiguous (use numpy.ascontiguousarray, fill, then copy back)")
        if not flags.writeable:
            raise ValueError("the numpy array is read-only")
        size = tensor.nbytes
        # The address through the buffer protocol: 0.4 µs, where
        # __array_interface__ or .ctypes.data take 1.2–1.3 µs (measured).
        if not size:
            address = 0
        elif code == L.BF16:  # ml_dtypes' bfloat16 has no buffer-protocol format
            address = tensor.__array_interface__["data"][0]
        else:
            address = ctypes.addressof(ctypes.c_char.from_buffer(tensor))
        return address, size, code, tensor.shape
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(tensor, torch.Tensor):
        code = _torch_codes(torch).get(tensor.dtype)
        if code is None and integers:
            code = {torch.int64: L.I64, torch.int32: L.I32, torch.uint8: L.U8, torch.bool: L.BOOL}.get(tensor.dtype)
            if code is None:
                raise TypeError("torch tensors of float32, float64, float16, bfloat16, int64, int32, uint8 or bool "
                                "can be filled by a plan, not %s" % tensor.dtype)
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


def shard_range(index: int, count: int, length: int) -> Tuple[int, int]:
    """Block `index` of `count` of range(length), as `weightinit generate --shard index/count`:
    length // count each, the last also taking the remainder. Returns (start, stop).

    >>> weightinit.shard_range(3, 4, 10)
    (6, 10)
    """
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


def fill(tensor: T, scheme: str, *, seed: int = 0, stream: int = 0, shard: Optional[Tuple[int, int, int]] = None,
         full_shape: Optional[Sequence[int]] = None, layout: Union[str, Tuple[int, int]] = "torch",
         threads: Optional[int] = None) -> T:
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

    >>> weightinit.fill(np.empty((64, 32), np.float32), "kaiming-normal --mode fan-out", seed=7, stream=1)
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
        _fill_block(lambda: _finish(tensor, staged), parsed, address, size, code, full, start, stop,
                     kind, in_axis, out_axis, seed, stream, workers)
        return tensor
    else:
        if size == 0:
            # As torch.nn.init: a tensor with no elements is left as it is.
            return tensor
        if not shape:
            shape = (1,)  # a 0-d tensor holds one value: that of shape (1,)
        if _may_take_long(shape):
            _fill_interruptibly(lambda: _finish(tensor, staged), parsed, address, size, code, tuple(shape),
                                [0] * len(shape), list(shape), kind, in_axis, out_axis, seed, stream, workers)
            return tensor
        status = library.weightinit_fill(parsed, address, size, code, len(shape), _dims(shape),
                                         kind, in_axis, out_axis, seed, stream, workers)
    if status != L.OK:
        _raise(status)
    _finish(tensor, staged)
    return tensor


# Fills of tensors with at least this many elements (a block's full tensor
# for shards) run on a worker thread that Ctrl-C can cancel: they take
# milliseconds or more (sparse's pass over its columns' keys costs in
# proportion to the full tensor's rows), where the thread costs ~0.1 ms.
_LONG_FILL_ELEMENTS = 1 << 22


def _may_take_long(shape):
    return functools.reduce(operator.mul, shape, 1) >= _LONG_FILL_ELEMENTS


def _fill_block(finish, parsed, address, size, code, full, start, stop, kind, in_axis, out_axis, seed, stream,
                workers):
    """Block [start, stop) of a tensor of shape `full`: from 2^22 elements
    of `full` cancellably on a worker thread (_fill_interruptibly), else by
    weightinit_fill_region on this thread. Raises the library's error;
    `finish()` runs after a fill that completed."""
    if _may_take_long(full):
        _fill_interruptibly(finish, parsed, address, size, code, full, start, stop, kind, in_axis, out_axis, seed,
                            stream, workers)
        return
    status = L.load()[0].weightinit_fill_region(
        parsed, address, size, code, len(full), _dims(tuple(full)), _dims(tuple(start)), _dims(tuple(stop)),
        kind, in_axis, out_axis, seed, stream, workers)
    if status != L.OK:
        _raise(status)
    finish()


def _fill_interruptibly(finish, parsed, address, size, code, full, start, stop, kind, in_axis, out_axis, seed,
                        stream, workers):
    """The fill of block [start, stop) of a tensor of shape `full` by
    weightinit_fill_region_cancellable on a worker thread (ctypes releases
    the GIL), so that Ctrl-C — KeyboardInterrupt in this, the main thread —
    sets its cancel flag: the library stops before it writes anything, this
    thread waits for it and raises KeyboardInterrupt with the tensor
    untouched. If Ctrl-C comes once values are being written (which costs in
    proportion to the block alone), that fill completes and
    KeyboardInterrupt is raised after it: the tensor is never half-filled.
    `finish()` runs after a fill that completed (_finish: autograd's version,
    a staged negated view copied in)."""
    library = L.load()[0]
    cancel = ctypes.c_int32(0)
    outcome = []
    # The worker's phase, under `lock`: "pending" until it begins, then "running"; "abandoned" if the
    # caller gave up before it began (it then returns without touching the tensor). An exception can
    # reach this thread anywhere — inside Thread.start()'s own wait, after the thread was launched — so
    # whether the library may be writing is decided here, not guessed from is_alive().
    lock = threading.Lock()
    phase = ["pending"]
    done = threading.Event()

    def work():
        try:
            with lock:
                if phase[0] == "abandoned":
                    return
                phase[0] = "running"
            status = library.weightinit_fill_region_cancellable(
                parsed, address, size, code, len(full), _dims(tuple(full)), _dims(tuple(start)), _dims(tuple(stop)),
                kind, in_axis, out_axis, seed, stream, workers, ctypes.byref(cancel))
            # The message is the worker thread's own.
            outcome.append((status, library.weightinit_last_error() if status != L.OK else None))
        finally:
            done.set()

    worker = threading.Thread(target=work, name="weightinit fill", daemon=True)
    try:
        worker.start()
        worker.join()  # a lock wait, which Ctrl-C interrupts
    except BaseException:  # KeyboardInterrupt, or whatever a signal handler raises
        cancel.value = 1
        while True:  # the tensor is the caller's again only once the library has returned (or never began)
            try:
                with lock:
                    if phase[0] == "pending":
                        phase[0] = "abandoned"
                    running = phase[0] == "running"
                if running:
                    done.wait()
                break
            except BaseException:
                pass
        if outcome and outcome[0][0] == L.OK:
            finish()
        raise
    status, message = outcome[0]
    if status != L.OK:
        _raise(status, message)
    finish()


def name_stream(name: str) -> int:
    """The stream `weightinit generate --spec` gives a tensor called `name`
    that names no "stream" (FNV-1a of its UTF-8 bytes): fill with
    stream=name_stream(name) to reproduce that tensor of a spec file.

    >>> weightinit.name_stream("fc1.weight")
    1364330157
    """
    library = L.load()[0]
    stream = ctypes.c_uint32()
    status = library.weightinit_name_stream(_text(name, "name"), ctypes.byref(stream))
    if status != L.OK:
        _raise(status)
    return stream.value


def name_seed(name: str, seed: int = 0) -> int:
    """The Philox key a model plan or `weightinit generate --spec` file of
    `seed` gives a tensor called `name` that names no "stream" (stream format
    3): `seed` with its high 32 bits flipped by the high 32 bits of FNV-1a
    (64-bit) of the name's UTF-8 bytes. Fill with seed=name_seed(name, seed),
    stream=name_stream(name) to reproduce that tensor.

    >>> hex(weightinit.name_seed("a", 42))
    '0xaf63dc4c0000002a'
    """
    library = L.load()[0]
    seed = _unsigned(seed, "seed", 64)
    key = ctypes.c_uint64()
    status = library.weightinit_name_seed(seed, _text(name, "name"), ctypes.byref(key))
    if status != L.OK:
        _raise(status)
    return key.value
