"""Wrong arrays and bad arguments raise TypeError or ValueError (C errors as
WeightInitValueError carrying the library's message), and nothing is written."""
import ctypes

import numpy as np
import pytest

import weightinit
from weightinit import init


def sentinel(shape=(4, 6), dtype=np.float32):
    return np.full(shape, 7, dtype=dtype)


def unchanged(array):
    return bool((array == 7).all())


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint16, np.complex64, np.bool_, ">f4"])
def test_wrong_numpy_dtype_is_a_type_error(dtype):
    array = np.full((4, 6), 7, dtype=dtype)
    before = array.tobytes()
    with pytest.raises(TypeError, match="float32, float64, float16 .native byte order. or ml_dtypes.bfloat16"):
        init.normal_(array)
    assert array.tobytes() == before


@pytest.mark.parametrize("value", [[1.0, 2.0], (1.0,), 3.0, "w", None, memoryview(bytearray(16))])
def test_not_an_array_is_a_type_error(value):
    with pytest.raises(TypeError, match="numpy.ndarray or a torch.Tensor"):
        init.normal_(value)


def test_non_contiguous_arrays_are_refused():
    base = sentinel((6, 8))
    for view in (base.T, base[:, ::2], base[::2]):
        with pytest.raises(ValueError, match="C-contiguous"):
            init.normal_(view)
    assert unchanged(base)
    # A contiguous slice of rows is fine and fills only itself.
    init.normal_(base[2:4])
    assert unchanged(base[:2]) and unchanged(base[4:]) and not unchanged(base[2:4])


def test_read_only_array_is_refused():
    array = sentinel()
    array.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        init.normal_(array)
    assert unchanged(array)


def test_unaligned_array_is_refused_by_the_library():
    raw = np.full(4 * 6 * 4 + 1, 7, dtype=np.uint8)
    array = np.ndarray((4, 6), np.float32, buffer=raw.data, offset=1)
    assert not array.flags.aligned
    with pytest.raises(weightinit.WeightInitValueError, match="not aligned") as error:
        init.normal_(array)
    assert error.value.status == "WEIGHTINIT_ERROR_INVALID_ARGUMENT"
    assert (raw == 7).all()


# (call, the library's status, a piece of its message)
BAD_PARAMETERS = [
    (lambda t: init.normal_(t, std=-1), "INVALID_PARAMETER", "invalid std -1.0"),
    (lambda t: init.normal_(t, std=float("nan")), "INVALID_PARAMETER", "std"),
    (lambda t: init.uniform_(t, 2, 1), "INVALID_PARAMETER", "uniform bounds"),
    (lambda t: init.trunc_normal_(t, a=1, b=-1), "INVALID_PARAMETER", "truncation bounds"),
    (lambda t: init.sparse_(t, 1.5), "INVALID_PARAMETER", "sparsity"),
    (lambda t: init.xavier_uniform_(t, gain=0), "INVALID_PARAMETER", "gain"),
    (lambda t: init.orthogonal_(t, gain=-1), "INVALID_PARAMETER", "gain"),
    (lambda t: init.kaiming_normal_(t, mode="sideways"), "INVALID_SCHEME", "--mode 'sideways'"),
    (lambda t: init.kaiming_normal_(t, nonlinearity="swish"), "INVALID_SCHEME", "--nonlinearity 'swish'"),
    (lambda t: init.orthogonal_(t, method="svd"), "INVALID_SCHEME", "--method 'svd'"),
    (lambda t: init.variance_scaling_(t, distribution="cauchy"), "INVALID_SCHEME", "--distribution 'cauchy'"),
    (lambda t: init.dirac_(t), "INVALID_SHAPE", "dirac needs a 3-, 4- or 5-D"),
    (lambda t: init.dirac_(t.reshape(4, 6, 1), groups=3), "INVALID_PARAMETER", "must divide the 4 output"),
    (lambda t: init.eye_(t.reshape(2, 2, 6)), "INVALID_SHAPE", "eye needs a 2-D shape"),
    (lambda t: init.kaiming_normal_(t.reshape(24)), "INVALID_SHAPE", "at least 2 dimensions"),
    (lambda t: init.xavier_normal_(t, layout=(1, 1)), "INVALID_SHAPE", "distinct axes"),
    (lambda t: init.xavier_normal_(t, layout=(0, 5)), "INVALID_SHAPE", "distinct axes"),
    (lambda t: weightinit.fill(t, "no-such-scheme"), "INVALID_SCHEME", "unknown scheme 'no-such-scheme'"),
    (lambda t: weightinit.fill(t, "normal --gain 2"), "INVALID_SCHEME", "--gain does not apply to normal"),
    (lambda t: weightinit.fill(t, "normal --seed 2"), "INVALID_SCHEME", "unknown option '--seed'"),
    (lambda t: weightinit.fill(t, "constant"), "INVALID_SCHEME", "constant needs --value"),
    (lambda t: init.normal_(t, shard=(3, 3, 0), full_shape=(12, 6)), "INVALID_REGION", "index 3"),
    (lambda t: init.normal_(t, shard=(0, 13, 0), full_shape=(12, 6)), "INVALID_REGION", "cannot split 12"),
]


@pytest.mark.parametrize("index", range(len(BAD_PARAMETERS)))
def test_library_errors_raise_with_its_message(index):
    call, status, message = BAD_PARAMETERS[index]
    array = sentinel()
    with pytest.raises(weightinit.WeightInitValueError, match=message.replace("(", r"\(")) as error:
        call(array)
    assert isinstance(error.value, ValueError)
    assert error.value.status == "WEIGHTINIT_ERROR_" + status
    assert unchanged(array)


PYTHON_ERRORS = [
    (lambda t: init.normal_(t, seed=-1), ValueError, "seed must be an int in 0"),
    (lambda t: init.normal_(t, seed=1 << 64), ValueError, "seed"),
    (lambda t: init.normal_(t, seed=1.5), TypeError, "seed must be an int"),
    (lambda t: init.normal_(t, stream=1 << 32), ValueError, "stream"),
    (lambda t: init.normal_(t, threads=0), ValueError, "threads must be an int in 1 … 2"),
    (lambda t: init.normal_(t, layout="jax"), ValueError, "layout must be"),
    (lambda t: init.normal_(t, shard=(0, 2, 0)), ValueError, "go together"),
    (lambda t: init.normal_(t, full_shape=(8, 6)), ValueError, "go together"),
    (lambda t: init.normal_(t, shard=(0, 2, 0), full_shape=(4, 6)), ValueError, "has shape"),
    (lambda t: init.normal_(t, shard=(0, 2, 2), full_shape=(8, 6)), ValueError, "not an axis"),
    (lambda t: init.normal_(t, std="big"), TypeError, "std must be a number"),
    (lambda t: init.dirac_(t, groups=1.5), TypeError, "groups must be an int"),
    (lambda t: init.kaiming_normal_(t, mode="fan_in --gain 3"), ValueError, "invalid mode"),
    (lambda t: init.normal_(t, generator=None), TypeError, "generator"),
]


@pytest.mark.parametrize("index", range(len(PYTHON_ERRORS)))
def test_python_argument_errors(index):
    call, kind, message = PYTHON_ERRORS[index]
    array = sentinel()
    with pytest.raises(kind, match=message):
        call(array)
    assert unchanged(array)


def test_zero_element_array_is_left_as_it_is():
    empty = np.empty((0, 5), np.float32)
    assert init.kaiming_normal_(empty) is empty


def test_library_not_found_names_the_override(monkeypatch):
    from weightinit import _library
    monkeypatch.setenv("WEIGHTINIT_LIBRARY", "/nonexistent/libweightinit.so")
    monkeypatch.setattr(_library, "_loaded", None)
    with pytest.raises(weightinit.LibraryNotFoundError, match="WEIGHTINIT_LIBRARY"):
        _library.load()


def test_struct_is_the_header_size():
    from weightinit import _library
    assert ctypes.sizeof(_library.Scheme) == 256
