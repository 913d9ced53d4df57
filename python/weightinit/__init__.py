"""weightinit: reproducible neural-network weight initialisation over
libweightinit, the C ABI of swift-weight-init.

    import numpy as np
    from weightinit import init

    w = np.empty((256, 128), dtype=np.float32)
    init.kaiming_normal_(w, nonlinearity="relu", seed=7, stream=3)

`weightinit.init` has torch.nn.init's functions (and Keras'); `fill` takes a
scheme in the syntax of `weightinit generate`. The shared library is found as
described in `weightinit._library.candidates` ($WEIGHTINIT_LIBRARY first).
"""
from . import init
from ._core import (
    WeightInitError,
    WeightInitRuntimeError,
    WeightInitValueError,
    describe,
    fill,
    name_stream,
    shard_range,
)
from ._library import LibraryNotFoundError

__version__ = "1.1.0"  # needs libweightinit ABI 1.1 (cancellable fills)


def library_path():
    """The path (or name) libweightinit was loaded from."""
    from ._library import load

    return load()[1]


def abi_version():
    """The loaded library's ABI version as (major, minor)."""
    from ._library import load

    version = load()[0].weightinit_abi_version()
    return version // 10000, version % 10000


__all__ = [
    "init", "fill", "describe", "name_stream", "shard_range", "library_path", "abi_version",
    "WeightInitError", "WeightInitValueError", "WeightInitRuntimeError", "LibraryNotFoundError",
]
