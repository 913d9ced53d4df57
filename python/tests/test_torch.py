"""PyTorch tensors, and the laws and signatures of torch.nn.init.

Skipped, with the reason in pytest's summary (-rs), when torch is not
importable: the default test command does not install it (several GB).
"""
import inspect
import math

import numpy as np
import pytest

torch = pytest.importorskip(
    "torch", reason="torch is not importable here, so the PyTorch tests (tensors, KS against torch.nn.init, "
    "signatures) did not run; run them in an environment with torch")
stats = pytest.importorskip("scipy.stats", reason="scipy is not importable (the KS tests need it)")

import weightinit  # noqa: E402
from weightinit import init  # noqa: E402

from conftest import generate  # noqa: E402

TORCH_DTYPES = {torch.float32: "f32", torch.float64: "f64", torch.float16: "f16", torch.bfloat16: "bf16"}

FILLS = [
    ("kaiming_normal_", lambda t, **k: init.kaiming_normal_(t, **k),
     "kaiming-normal --nonlinearity leaky-relu --negative-slope 0", (16, 12)),
    ("trunc_normal_", lambda t, **k: init.trunc_normal_(t, std=0.02, a=-0.04, b=0.04, **k),
     "truncated-normal --std 0.02 --low -0.04 --high 0.04", (33, 7)),
    ("orthogonal_", lambda t, **k: init.orthogonal_(t, **k), "orthogonal", (8, 6)),
    ("sparse_", lambda t, **k: init.sparse_(t, 0.25, **k), "sparse --sparsity 0.25", (8, 6)),
    ("dirac_", lambda t, **k: init.dirac_(t, **k), "dirac", (4, 3, 3)),
]


@pytest.mark.parametrize("dtype", list(TORCH_DTYPES), ids=str)
@pytest.mark.parametrize("index", range(len(FILLS)), ids=[f[0] for f in FILLS])
def test_tensor_equals_cli(tmp_path, index, dtype):
    _, call, scheme, shape = FILLS[index]
    tensor = torch.full(shape, 7.0, dtype=dtype)
    assert call(tensor, seed=21, stream=index) is tensor
    expected, written = generate(tmp_path, scheme, shape, TORCH_DTYPES[dtype], 21, index)
    assert written == shape
    assert tensor.view(-1).view(torch.uint8).numpy().tobytes() == expected


def test_tensor_and_array_get_the_same_bytes():
    for dtype, np_dtype in [(torch.float32, np.float32), (torch.float64, np.float64), (torch.float16, np.float16)]:
        t = init.xavier_normal_(torch.empty(20, 30, dtype=dtype), seed=2, stream=5)
        a = init.xavier_normal_(np.empty((20, 30), np_dtype), seed=2, stream=5)
        assert t.numpy().tobytes() == a.tobytes()


def test_parameter_with_grad_is_filled_and_its_version_bumped():
    weight = torch.nn.Parameter(torch.zeros(8, 4))
    version = weight._version
    assert init.kaiming_uniform_(weight, seed=1) is weight
    assert weight.requires_grad and weight.abs().sum() > 0
    assert weight._version > version


def test_shards_of_a_tensor_concatenate_to_the_whole():
    whole = init.kaiming_normal_(torch.empty(12, 10), mode="fan_out", seed=3)
    for dim in (0, 1):
        parts = []
        for index in range(3):
            start, stop = weightinit.shard_range(index, 3, whole.shape[dim])
            shape = list(whole.shape)
            shape[dim] = stop - start
            parts.append(init.kaiming_normal_(torch.empty(shape), mode="fan_out", seed=3,
                                              shard=(index, 3, dim), full_shape=tuple(whole.shape)))
        assert torch.equal(torch.cat(parts, dim=dim), whole)


@pytest.mark.parametrize("make", [
    lambda: torch.zeros(4, 6, dtype=torch.int32),
    lambda: torch.zeros(4, 6, dtype=torch.complex64),
    lambda: torch.zeros(4, 6, dtype=torch.float8_e4m3fn) if hasattr(torch, "float8_e4m3fn") else torch.zeros(4, 6).int(),
], ids=["int32", "complex64", "float8"])
def test_wrong_tensor_dtype_is_a_type_error(make):
    tensor = make()
    with pytest.raises(TypeError, match="float32, float64, float16 or bfloat16"):
        init.normal_(tensor)
    assert (tensor.real.float() == 0).all() if tensor.is_complex() else (tensor.float() == 0).all()


def test_wrong_tensors_are_value_errors_and_untouched():
    base = torch.full((6, 8), 7.0)
    with pytest.raises(ValueError, match="contiguous"):
        init.normal_(base.t())
    with pytest.raises(ValueError, match="contiguous"):
        init.normal_(base[:, ::2])
    with pytest.raises(ValueError, match="CPU"):
        init.normal_(torch.empty(4, 4, device="meta"))
    with pytest.raises(ValueError, match="dense"):
        init.normal_(torch.zeros(4, 4).to_sparse())
    with pytest.raises(weightinit.WeightInitValueError, match="invalid std"):
        init.normal_(base, std=0)
    assert (base == 7).all()


def test_signatures_match_torch():
    """Same positional parameters, names and defaults as torch.nn.init (its
    `generator` aside); ours add keyword-only ones (seed, stream, …)."""
    compared = 0
    for name in (n for n in init.__all__ if n.endswith("_")):  # the fills; calculate_gain below
        theirs = getattr(torch.nn.init, name, None)
        if theirs is None:
            continue
        ours = inspect.signature(getattr(init, name))
        expected = [(p.name, p.default) for p in inspect.signature(theirs).parameters.values()
                    if p.name != "generator" and p.kind is not p.KEYWORD_ONLY]
        actual = [(p.name, p.default) for p in ours.parameters.values() if p.kind is not p.KEYWORD_ONLY]
        assert actual == expected, name
        keyword_only = {p.name for p in ours.parameters.values() if p.kind is p.KEYWORD_ONLY}
        assert {"seed", "stream", "shard", "full_shape", "layout", "threads"} <= keyword_only, name
        compared += 1
    assert compared == 14
    ours, theirs = inspect.signature(init.calculate_gain), inspect.signature(torch.nn.init.calculate_gain)
    assert [(p.name, p.default) for p in ours.parameters.values()] == [
        (p.name, p.default) for p in theirs.parameters.values()]


# ---- Laws: two-sample KS against torch.nn.init --------------------------------

SHAPE = (256, 512)
FAN_IN, FAN_OUT = 512, 256
KERAS_T = 0.87962566103423978  # std of N(0, 1) truncated to [-2, 2]


def keras_truncated(std):
    s = std / KERAS_T
    return lambda t: torch.nn.init.trunc_normal_(t, std=s, a=-2 * s, b=2 * s)


# (id, ours, torch's equivalent); both fill a SHAPE float32 tensor.
LAWS = [
    ("uniform_", lambda t: init.uniform_(t, -1, 3, seed=1), lambda t: torch.nn.init.uniform_(t, -1, 3)),
    ("normal_", lambda t: init.normal_(t, 0.5, 2, seed=1), lambda t: torch.nn.init.normal_(t, 0.5, 2)),
    ("trunc_normal_", lambda t: init.trunc_normal_(t, 0, 1, -0.5, 2, seed=1),
     lambda t: torch.nn.init.trunc_normal_(t, 0, 1, -0.5, 2)),
    ("xavier_uniform_", lambda t: init.xavier_uniform_(t, 1.3, seed=1), lambda t: torch.nn.init.xavier_uniform_(t, 1.3)),
    ("xavier_normal_", lambda t: init.xavier_normal_(t, seed=1), lambda t: torch.nn.init.xavier_normal_(t)),
    ("kaiming_uniform_", lambda t: init.kaiming_uniform_(t, seed=1), lambda t: torch.nn.init.kaiming_uniform_(t)),
    ("kaiming_uniform_ a=√5", lambda t: init.kaiming_uniform_(t, a=math.sqrt(5), seed=1),
     lambda t: torch.nn.init.kaiming_uniform_(t, a=math.sqrt(5))),
    ("kaiming_normal_", lambda t: init.kaiming_normal_(t, seed=1), lambda t: torch.nn.init.kaiming_normal_(t)),
    ("kaiming_normal_ fan_out tanh", lambda t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="tanh", seed=1),
     lambda t: torch.nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="tanh")),
    ("kaiming_normal_ selu", lambda t: init.kaiming_normal_(t, nonlinearity="selu", seed=1),
     lambda t: torch.nn.init.kaiming_normal_(t, nonlinearity="selu")),
    ("orthogonal_", lambda t: init.orthogonal_(t, 1.5, seed=1), lambda t: torch.nn.init.orthogonal_(t, 1.5)),
    ("orthogonal_ qr", lambda t: init.orthogonal_(t, method="qr", seed=1), lambda t: torch.nn.init.orthogonal_(t)),
    ("uniform_fan_in_", lambda t: init.uniform_fan_in_(t, seed=1),
     lambda t: torch.nn.init.kaiming_uniform_(t, a=math.sqrt(5))),
    ("he_uniform_", lambda t: init.he_uniform_(t, seed=1),
     lambda t: torch.nn.init.kaiming_uniform_(t, nonlinearity="relu")),
    ("he_normal_", lambda t: init.he_normal_(t, seed=1), lambda t: keras_truncated(math.sqrt(2 / FAN_IN))(t)),
    ("glorot_normal_", lambda t: init.glorot_normal_(t, seed=1),
     lambda t: keras_truncated(math.sqrt(2 / (FAN_IN + FAN_OUT)))(t)),
    ("lecun_normal_", lambda t: init.lecun_normal_(t, seed=1), lambda t: keras_truncated(math.sqrt(1 / FAN_IN))(t)),
    ("lecun_uniform_", lambda t: init.lecun_uniform_(t, seed=1),
     lambda t: torch.nn.init.uniform_(t, -math.sqrt(3 / FAN_IN), math.sqrt(3 / FAN_IN))),
    ("variance_scaling_ fan_avg uniform", lambda t: init.variance_scaling_(t, 2.0, "fan_avg", "uniform", seed=1),
     lambda t: torch.nn.init.xavier_uniform_(t, math.sqrt(2))),
]


def ks_pvalue(ours, theirs):
    torch.manual_seed(0)
    a = ours(torch.empty(SHAPE)).numpy().ravel()
    b = theirs(torch.empty(SHAPE)).numpy().ravel()
    return stats.ks_2samp(a, b).pvalue


@pytest.mark.parametrize("index", range(len(LAWS)), ids=[law[0] for law in LAWS])
def test_same_law_as_torch(index):
    _, ours, theirs = LAWS[index]
    # Fixed seeds on both sides: the p-value is one deterministic number, not a flaky draw.
    assert ks_pvalue(ours, theirs) > 1e-3


def test_ks_tells_laws_apart():
    # The check above can fail: fan_out vs fan_in (σ differs by √2) is rejected outright.
    p = ks_pvalue(lambda t: init.kaiming_normal_(t, mode="fan_out", seed=1), lambda t: torch.nn.init.kaiming_normal_(t))
    assert p < 1e-6


def test_sparse_matches_torch():
    torch.manual_seed(0)
    ours = init.sparse_(torch.empty(SHAPE), 0.3, seed=1)
    theirs = torch.nn.init.sparse_(torch.empty(SHAPE), 0.3)
    # ⌈0.3·256⌉ = 77 zeros in every column, as torch; the rest N(0, 0.01²).
    assert ((ours == 0).sum(dim=0) == 77).all() and ((theirs == 0).sum(dim=0) == 77).all()
    assert stats.ks_2samp(ours[ours != 0].numpy(), theirs[theirs != 0].numpy()).pvalue > 1e-3


@pytest.mark.parametrize("name, ours, theirs, shape", [
    ("zeros_", lambda t: init.zeros_(t), torch.nn.init.zeros_, (5, 7)),
    ("ones_", lambda t: init.ones_(t), torch.nn.init.ones_, (5, 7)),
    ("constant_", lambda t: init.constant_(t, 0.3), lambda t: torch.nn.init.constant_(t, 0.3), (5, 7)),
    ("eye_", lambda t: init.eye_(t), torch.nn.init.eye_, (5, 7)),
    ("eye_ tall", lambda t: init.eye_(t), torch.nn.init.eye_, (7, 5)),
    ("dirac_", lambda t: init.dirac_(t), torch.nn.init.dirac_, (6, 4, 3, 3)),
    ("dirac_ groups", lambda t: init.dirac_(t, 2), lambda t: torch.nn.init.dirac_(t, 2), (8, 3, 5)),
    ("dirac_ 5-D", lambda t: init.dirac_(t), torch.nn.init.dirac_, (3, 5, 3, 2, 3)),
])
def test_deterministic_schemes_equal_torch(name, ours, theirs, shape):
    for dtype in TORCH_DTYPES:
        assert torch.equal(ours(torch.full(shape, 7.0, dtype=dtype)), theirs(torch.full(shape, 7.0, dtype=dtype))), name
