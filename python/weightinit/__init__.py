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
- `weightinit.models`: whole models by rules (`Plan`): plan a rule set over a
  list of (name, shape, dtype), a state_dict or a Hugging Face config, ask
  what applies to a name, fill a tensor or a block of it by name.
- `init_module(module, rules, seed=…)`: every parameter and buffer of a
  torch.nn.Module — sharded DTensors (FSDP2, tensor parallel) included —
  filled in place by rules, as `weightinit generate` writes its checkpoint.

The shared library is the one installed inside this package by its wheel,
unless $WEIGHTINIT_LIBRARY names another (`weightinit._library.candidates`
lists the order).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Optional, Union

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

if TYPE_CHECKING:
    import os

    import torch

    from ._module import ModuleReport


def init_module(module: "torch.nn.Module", rules: Union[str, "os.PathLike[str]", Mapping[str, Any], None], *,
                seed: int = 0, variables: Any = None, skip_unmatched: bool = False, dry_run: bool = False,
                threads: Optional[int] = None) -> "ModuleReport":
    """Fills every parameter and persistent buffer of a torch.nn.Module in
    place, by its state_dict() name, with the scheme `rules` give it — the
    bytes `weightinit generate --like <that state_dict's layout> --rules
    <rules> --seed <seed>` writes for each tensor — and returns a
    ModuleReport (str() of it is a readable table of what applied).

    - rules: a built-in rule set's name ("torch-defaults", "hf-llama",
      "hf-gpt2", "hf-bert", "torchvision-resnet"; `weightinit rules` lists
      them), a rules file's path, its JSON text, or the rules as a dict;
      None for a Hugging Face model: its family's set, "hf-" + model_type.
    - seed: 0 … 2⁶⁴ − 1, as `--seed`. A tensor's values depend only on the
      seed, its name, scheme and shape.
    - variables: what rules read (initializer_range, pad_token_id…): a
      dict, a JSON object's text or a config. None (the default): a Hugging
      Face model's module.config, else the rule set's defaults; {} for the
      rule set's defaults always.
    - skip_unmatched: leave tensors no rule covers as they are (listed in
      the report without a scheme); by default such a tensor is a
      WeightInitValueError naming it, and nothing is written.
    - dry_run: fill nothing, return the report only (works on a module
      still on the meta device).
    - threads: worker threads per fill (None: every core); never changes a
      value, except orthogonal matrices' from 1024 rows and columns up.

    Tied parameters (one tensor under several names, e.g. lm_head.weight and
    model.embed_tokens.weight) are filled once, by their first name in
    state_dict() order; their other names are planned too, so a rule may
    take fans from any of them. Non-persistent buffers (rotary inv_freq) are not
    state and are left alone. Runs under torch.no_grad(); requires_grad is
    kept. Dtypes: float32, float64, float16, bfloat16, and the int64, int32,
    uint8 and bool buffers rules cover (BatchNorm's num_batches_tracked).

    Sharded parameters: a DTensor (FSDP2's fully_shard, tensor parallel
    Shard(d) / Replicate(), 2-D meshes, uneven shards) gets its local shard
    filled as the exact block of the whole tensor that DTensor places it at
    (torch.distributed.tensor's compute_local_shape_and_global_offset), fans
    from the global shape, no communication; FSDP2's padding is not
    touched. Gathered, the full tensors are the same for every world size
    and mesh, and equal to a single-process run's. Partial placements are
    refused.

    Refused, before anything is written (ValueError/TypeError, naming the
    tensor): a tensor on the meta device ("call module.to_empty() first"),
    a non-contiguous one, one on a device other than CPU or CUDA, an
    unsupported dtype, an unknown rule set, a tensor no rule covers. CUDA
    tensors are filled through a host buffer and copied (not tested here:
    the test machines have no GPU). A fill that fails after validation (a
    LAPACK failure for a huge orthogonal) raises with earlier tensors filled.

    >>> model = torchvision.models.resnet18()
    >>> print(weightinit.init_module(model, "torchvision-resnet", seed=3))
    """
    from ._module import init_module as run

    return run(module, rules, seed=seed, variables=variables, skip_unmatched=skip_unmatched, dry_run=dry_run,
               threads=threads)


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
    "init", "init_module", "fill", "describe", "name_seed", "name_stream", "shard_range", "library_path", "abi_version",
    "stream_format_version", "status_name", "__version__",
    "WeightInitError", "WeightInitValueError", "WeightInitRuntimeError", "LibraryNotFoundError",
]
