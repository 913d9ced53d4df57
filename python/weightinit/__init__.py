"""weightinit: reproducible neural-network weight initialisation over
libweightinit, the C ABI of swift-weight-init — the same bytes from the CLI,
C, numpy, PyTorch, JAX and Keras for the same scheme, seed and stream.

    import numpy as np
    from weightinit import init

    w = np.empty((256, 128), dtype=np.float32)
    init.kaiming_normal_(w, nonlinearity="relu", seed=7, stream=3)

- `weightinit.init`: torch.nn.init's functions (and Keras' schemes), filling
  numpy arrays and PyTorch CPU tensors in place.
- `weightinit.jax`: jax.nn.initializers' names, initializers
  `init(key, shape, dtype) -> jax.Array` for Flax and Equinox (imports jax).
- `weightinit.keras`: keras.initializers' classes, for Keras 3 on any
  backend (imports keras).
- `fill` takes a scheme in the syntax of `weightinit generate`.

The shared library is the one installed inside this package by its wheel,
unless $WEIGHTINIT_LIBRARY names another (`weightinit._library.candidates`
lists the order).
"""
from __future__ import annotations

from . import init
from ._core import (
    WeightInitError,
    WeightInitRuntimeError,
    WeightInitValueError,
    describe,
    fill,
    name_seed,
    name_stream,
    shard_range,
)
from ._library import LibraryNotFoundError


def _version() -> str:
    """The package's version: written into _version.py by the wheel build
    (python/backend/weightinit_build.py) from weightinit.h's
    WEIGHTINIT_ABI_VERSION_MAJOR and _MINOR, the one source of versions; in a
    source tree that has no _version.py, read from the header itself."""
    try:
        from ._version import version
        return version
    except ImportError:
        import pathlib
        import re
        header = pathlib.Path(__file__).resolve().parents[2] / "Sources/CWeightInit/include/weightinit.h"
        try:
            text = header.read_text(encoding="utf-8")
        except OSError:
            return "0+unknown"
        numbers = [re.search(r"^#define WEIGHTINIT_ABI_VERSION_%s (\d+)$" % part, text, re.M) for part in ("MAJOR", "MINOR")]
        return "%s.%s.0" % tuple(n.group(1) for n in numbers) if all(numbers) else "0+unknown"


__version__: str = _version()


def library_path() -> str:
    """The path (or name) libweightinit was loaded from.

    >>> weightinit.library_path()   # from a wheel
    '/…/site-packages/weightinit/_lib/libweightinit.so.1'
    """
    from ._library import load

    return load()[1]


def abi_version() -> tuple[int, int]:
    """The loaded library's ABI version as (major, minor), from
    weightinit_abi_version(); the package's version is "major.minor.0" of the
    library it was built with.

    >>> weightinit.abi_version()
    (1, 1)
    """
    from ._library import load

    version = load()[0].weightinit_abi_version()
    return version // 10000, version % 10000


def stream_format_version() -> int:
    """The version of the stream format the loaded library implements
    (weightinit_stream_format_version(); see the stream format
    specification): the (seed, stream, index) → value mapping, and the key
    and stream a model plan derives from a tensor's name (name_seed,
    name_stream). Values are promised equal only within one.

    >>> weightinit.stream_format_version()
    3
    """
    from ._library import load

    return int(load()[0].weightinit_stream_format_version())


def status_name(status: int) -> str:
    """The library's name for a weightinit_status value
    (weightinit_status_name): "WEIGHTINIT_ERROR_INVALID_PARAMETER" for 5,
    "WEIGHTINIT_UNKNOWN_STATUS" for a value that is none. A
    WeightInitError's `status` is this name.

    >>> weightinit.status_name(5)
    'WEIGHTINIT_ERROR_INVALID_PARAMETER'
    """
    from ._core import INT32, _integer
    from ._library import load

    return load()[0].weightinit_status_name(_integer(status, "status", INT32)).decode("ascii", "replace")


__all__ = [
    "init", "fill", "describe", "name_seed", "name_stream", "shard_range", "library_path", "abi_version",
    "stream_format_version", "status_name", "__version__",
    "WeightInitError", "WeightInitValueError", "WeightInitRuntimeError", "LibraryNotFoundError",
]
