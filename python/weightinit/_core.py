"""The one path every Python fill takes: a scheme in the CLI's syntax, parsed
once by the C library (and cached), and an array or tensor checked and
handed over by address."""
import ctypes
import functools
import operator
import sys
import threading

from . import _library as L


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
    """Raises the error of `status`, with this thread's last error (or `last_error`, read on another thread)."""
    library = L.load()[0]
    message = ((library.weightinit_last_error() if last_error is None else last_error) or b"").decode("utf-8", "replace")
    name = L.STATUS_NAMES.get(status, "WEIGHTINIT_UNKNOWN_STATUS %d" % status)
    kind = WeightInitRuntimeError if status == L.FAILURE or status not in L.STATUS_NAMES else WeightInitValueError
    raise kind(name, message)


@functools.lru_cache(maxsize=1024)
def parse(text):
    """The parsed weightinit_scheme for `text` (cached: a scheme is parsed once)."""
    library = L.load()[0]
    scheme = L.Scheme()
    status = library.weightinit_scheme_parse(text.encode("utf-8"), scheme)
    if status != L.OK:
        _raise(status)
    return scheme


def describe(text):
    """`text` as `weightinit generate` spells it, every parameter explicit."""
    library = L.load()[0]
    scheme = parse(text)
    length = ctypes.c_size_t(0)
    buffer = ctypes.create_string_buffer(512)
    status = library.weightinit_scheme_describe(scheme, buffer, len(buffer), ctypes.byref(length))
    if status != L.OK:
        _raise(status)
    return buffer.value.decode("utf-8")


@functools.lru_cache(maxsize=256)
def _dims(shape):
    return (ctypes.c_int64 * len(shape))(*shape)


def _layout(layout):
    if layout == "torch":
        return L.LAYOUT_TORCH, 0, 0
    if layout == "keras":
        return L.LAYOUT_KERAS, 0, 0
    if isinstance(layout, tuple) and len(layout) == 2:
        try:
            return L.LAYOUT_AXES, operator.index(layout[0]), operator.index(layout[1])
        except TypeError:
            pass
    raise ValueError("layout must be 'torch', 'keras' or a pair of axes (in_axis, out_axis), not %r" % (layout,))


def _unsigned(value, name, bits):
    if type(value) is int and 0 <= value < 1 << bits:  # the common case, first
        return value
    try:
        number = operator.index(value)
    except TypeError:
        raise TypeError("%s must be an int, not %s" % (name, type(value).__name__)) from None
    if isinstance(value, bool) or not 0 <= number < 1 << bits:
        raise ValueError("%s must be an int in 0 … 2^%d − 1, not %r" % (name, bits, value))
    return number


def _threads(threads):
    if threads is None:
        return 0
    try:
        number = operator.index(threads)
    except TypeError:
        raise TypeError("threads must be an int or None, not %s" % type(threads).__name__) from None
    if not 1 <= number < 1 << 31:
        raise ValueError("threads must be ≥ 1 (or None for every core), not %r" % (threads,))
    return number


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
    array or contiguous CPU torch tensor; TypeError or ValueError otherwise.
    Nothing is read or written here."""
    np = sys.modules.get("numpy")
    if np is not None and isinstance(tensor, np.ndarray):
        code = _numpy_codes(np).get(tensor.dtype)
        if code is None:
            raise TypeError("numpy arrays of float32, float64 or float16 (native byte order) can be filled, not %s"
                            % tensor.dtype)
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
        return tensor.data_ptr(), tensor.numel() * tensor.element_size(), code, tuple(tensor.shape)
    raise TypeError("expected a numpy.ndarray or a torch.Tensor, not %s" % type(tensor).__name__)


def _bump_version(tensor):
    """Tell autograd a torch tensor changed in place, as torch.nn.init's own in-place ops do."""
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(tensor, torch.Tensor):
        increment = getattr(getattr(torch.autograd, "graph", None), "increment_version", None)
        if increment is not None:
            increment(tensor)


def shard_range(index, count, length):
    """Block `index` of `count` of range(length), as `weightinit generate --shard index/count`:
    length // count each, the last also taking the remainder. Returns (start, stop)."""
    library = L.load()[0]
    start, stop = ctypes.c_int64(), ctypes.c_int64()
    status = library.weightinit_shard_range(operator.index(index), operator.index(count), operator.index(length),
                                            ctypes.byref(start), ctypes.byref(stop))
    if status != L.OK:
        _raise(status)
    return start.value, stop.value


def _region(shape, shard, full_shape):
    """The (start, stop, block shape) of `shard` = (index, count, dim) of `full_shape`."""
    if shard is None or full_shape is None:
        raise ValueError("shard=(index, count, dim) and full_shape= go together")
    try:
        full = tuple(operator.index(d) for d in full_shape)
        index, count, dim = (operator.index(v) for v in shard)
    except (TypeError, ValueError):
        raise TypeError("shard must be (index, count, dim) and full_shape a sequence of ints") from None
    if not -len(full) <= dim < len(full):
        raise ValueError("shard dim %d is not an axis of full_shape %s" % (dim, full))
    dim %= len(full)
    begin, end = shard_range(index, count, full[dim])
    start = [0] * len(full)
    stop = list(full)
    start[dim], stop[dim] = begin, end
    block = full[:dim] + (end - begin,) + full[dim + 1:]
    if tuple(shape) != block:
        raise ValueError("the tensor has shape %s, but shard %d of %d along dim %d of full_shape %s has shape %s"
                         % (tuple(shape), index, count, dim, full, block))
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
    threads: worker threads (None: every core); never changes a value.
    """
    library = L.load()[0]
    parsed = parse(scheme)
    address, size, code, shape = target(tensor)
    seed = _unsigned(seed, "seed", 64)
    stream = _unsigned(stream, "stream", 32)
    kind, in_axis, out_axis = _layout(layout)
    workers = _threads(threads)
    if shard is not None or full_shape is not None:
        start, stop, full = _region(shape, shard, full_shape)
        if size == 0:
            return tensor
        if _may_take_long(full):
            return _fill_interruptibly(tensor, parsed, address, size, code, full, start, stop,
                                       kind, in_axis, out_axis, seed, stream, workers)
        status = library.weightinit_fill_region(
            parsed, address, size, code, len(full), _dims(full), _dims(tuple(start)), _dims(tuple(stop)),
            kind, in_axis, out_axis, seed, stream, workers)
    else:
        if size == 0:
            # As torch.nn.init: a tensor with no elements is left as it is.
            return tensor
        if not shape:
            shape = (1,)  # a 0-d tensor holds one value: that of shape (1,)
        if _may_take_long(shape):
            return _fill_interruptibly(tensor, parsed, address, size, code, tuple(shape), [0] * len(shape), list(shape),
                                       kind, in_axis, out_axis, seed, stream, workers)
        status = library.weightinit_fill(parsed, address, size, code, len(shape), _dims(shape),
                                         kind, in_axis, out_axis, seed, stream, workers)
    if status != L.OK:
        _raise(status)
    _bump_version(tensor)
    return tensor


# Fills of tensors with at least this many elements (a block's full tensor
# for shards) run on a worker thread that Ctrl-C can cancel: they take
# milliseconds or more (sparse's pass over its columns' keys costs in
# proportion to the full tensor's rows), where the thread costs ~0.1 ms.
_LONG_FILL_ELEMENTS = 1 << 22


def _may_take_long(shape):
    return functools.reduce(operator.mul, shape, 1) >= _LONG_FILL_ELEMENTS


def _fill_interruptibly(tensor, parsed, address, size, code, full, start, stop, kind, in_axis, out_axis, seed,
                        stream, workers):
    """The fill of block [start, stop) of a tensor of shape `full` by
    weightinit_fill_region_cancellable on a worker thread (ctypes releases
    the GIL), so that Ctrl-C — KeyboardInterrupt in this, the main thread —
    sets its cancel flag: the library stops before it writes anything, this
    thread waits for it and raises KeyboardInterrupt with the tensor
    untouched. If Ctrl-C comes once values are being written (which costs in
    proportion to the block alone), that fill completes and
    KeyboardInterrupt is raised after it: the tensor is never half-filled."""
    library = L.load()[0]
    cancel = ctypes.c_int32(0)
    outcome = []

    def work():
        status = library.weightinit_fill_region_cancellable(
            parsed, address, size, code, len(full), _dims(tuple(full)), _dims(tuple(start)), _dims(tuple(stop)),
            kind, in_axis, out_axis, seed, stream, workers, ctypes.byref(cancel))
        # The message is the worker thread's own.
        outcome.append((status, library.weightinit_last_error() if status != L.OK else None))

    worker = threading.Thread(target=work, name="weightinit fill", daemon=True)
    worker.start()
    try:
        worker.join()  # a lock wait, which Ctrl-C interrupts
    except KeyboardInterrupt:
        cancel.value = 1
        while worker.is_alive():  # the tensor is the caller's again only once the library has returned
            try:
                worker.join()
            except KeyboardInterrupt:
                pass
        if outcome and outcome[0][0] == L.OK:
            _bump_version(tensor)
        raise
    status, message = outcome[0]
    if status != L.OK:
        _raise(status, message)
    _bump_version(tensor)
    return tensor


def name_stream(name):
    """The stream `weightinit generate --spec` gives a tensor called `name`
    that names no "stream" (FNV-1a of its UTF-8 bytes): fill with
    stream=name_stream(name) to reproduce that tensor of a spec file."""
    library = L.load()[0]
    stream = ctypes.c_uint32()
    status = library.weightinit_name_stream(name.encode("utf-8"), ctypes.byref(stream))
    if status != L.OK:
        _raise(status)
    return stream.value
