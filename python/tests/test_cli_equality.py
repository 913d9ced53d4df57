"""Every function of weightinit.init fills exactly the bytes `weightinit
generate` writes for the same scheme, shape, dtype, seed and stream."""
import json

import numpy as np
import pytest

import weightinit
from weightinit import init

from conftest import DTYPES, read_safetensors

# (id, call(tensor, **keywords), the same scheme for `weightinit generate`, shape, extra CLI options)
CASES = [
    ("uniform_", lambda t, **k: init.uniform_(t, -0.5, 2, **k), "uniform --low -0.5 --high 2", (33, 17), ()),
    ("uniform_ defaults", lambda t, **k: init.uniform_(t, **k), "uniform", (10,), ()),
    ("normal_", lambda t, **k: init.normal_(t, 1.0, 0.02, **k), "normal --mean 1 --std 0.02", (129,), ()),
    ("normal_ 0-d", lambda t, **k: init.normal_(t, **k), "normal", (), ()),
    ("trunc_normal_ defaults", lambda t, **k: init.trunc_normal_(t, **k), "truncated-normal --low -2 --high 2",
     (40, 9), ()),
    ("trunc_normal_", lambda t, **k: init.trunc_normal_(t, 0.1, 0.5, -0.3, 0.9, **k),
     "truncated-normal --mean 0.1 --std 0.5 --low -0.3 --high 0.9", (40, 9), ()),
    ("constant_", lambda t, **k: init.constant_(t, 0.25, **k), "constant --value 0.25", (3, 5), ()),
    ("ones_", lambda t, **k: init.ones_(t, **k), "ones", (2, 3, 4), ()),
    ("zeros_", lambda t, **k: init.zeros_(t, **k), "zeros", (7,), ()),
    ("eye_", lambda t, **k: init.eye_(t, **k), "eye", (4, 6), ()),
    ("dirac_", lambda t, **k: init.dirac_(t, 2, **k), "dirac --groups 2", (4, 3, 3), ()),
    ("dirac_ defaults", lambda t, **k: init.dirac_(t, **k), "dirac", (3, 2, 3, 3), ()),
    ("xavier_uniform_", lambda t, **k: init.xavier_uniform_(t, 1.5, **k), "xavier-uniform --gain 1.5", (8, 4, 3, 3), ()),
    ("xavier_uniform_ keras", lambda t, **k: init.xavier_uniform_(t, layout="keras", **k), "xavier-uniform",
     (3, 3, 4, 8), ("--layout", "keras")),
    ("xavier_normal_", lambda t, **k: init.xavier_normal_(t, **k), "xavier-normal", (20, 30), ()),
    ("kaiming_uniform_ defaults", lambda t, **k: init.kaiming_uniform_(t, **k),
     "kaiming-uniform --nonlinearity leaky-relu --negative-slope 0", (16, 8, 3), ()),
    ("kaiming_uniform_ fan_out relu", lambda t, **k: init.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu", **k),
     "kaiming-uniform --mode fan-out --nonlinearity relu", (16, 8, 3), ()),
    ("kaiming_normal_ defaults", lambda t, **k: init.kaiming_normal_(t, **k),
     "kaiming-normal --nonlinearity leaky-relu --negative-slope 0", (12, 12), ()),
    ("kaiming_normal_ a=0.2", lambda t, **k: init.kaiming_normal_(t, a=0.2, **k),
     "kaiming-normal --nonlinearity leaky-relu --negative-slope 0.2", (12, 12), ()),
    ("kaiming_normal_ tanh axes", lambda t, **k: init.kaiming_normal_(t, nonlinearity="tanh", layout=(-2, 0), **k),
     "kaiming-normal --nonlinearity tanh", (5, 3, 7), ("--in-axis", "-2", "--out-axis", "0")),
    ("orthogonal_", lambda t, **k: init.orthogonal_(t, 2, **k), "orthogonal --gain 2", (6, 10), ()),
    ("orthogonal_ qr blocks", lambda t, **k: init.orthogonal_(t, method="qr", blocks=4, **k),
     "orthogonal --method qr --blocks 4", (16, 4), ()),
    ("sparse_", lambda t, **k: init.sparse_(t, 0.3, 0.1, **k), "sparse --sparsity 0.3 --std 0.1", (10, 4), ()),
    ("sparse_ defaults", lambda t, **k: init.sparse_(t, 0.5, **k), "sparse --sparsity 0.5", (9, 5), ()),
    ("glorot_uniform_", lambda t, **k: init.glorot_uniform_(t, **k), "glorot-uniform", (20, 30), ()),
    ("glorot_normal_", lambda t, **k: init.glorot_normal_(t, **k), "glorot-normal --truncated", (20, 30), ()),
    ("he_uniform_", lambda t, **k: init.he_uniform_(t, **k), "he-uniform", (20, 30), ()),
    ("he_normal_", lambda t, **k: init.he_normal_(t, **k), "he-normal --truncated", (20, 30), ()),
    ("lecun_uniform_", lambda t, **k: init.lecun_uniform_(t, **k), "lecun-uniform", (20, 30), ()),
    ("lecun_normal_", lambda t, **k: init.lecun_normal_(t, **k), "lecun-normal --truncated", (20, 30), ()),
    ("variance_scaling_ defaults", lambda t, **k: init.variance_scaling_(t, **k), "variance-scaling", (10, 20), ()),
    ("variance_scaling_ uniform", lambda t, **k: init.variance_scaling_(t, 2.0, "fan_avg", "uniform", **k),
     "variance-scaling --scale 2 --mode fan-avg --distribution uniform", (10, 20), ()),
    ("variance_scaling_ untruncated", lambda t, **k: init.variance_scaling_(t, distribution="untruncated_normal", **k),
     "variance-scaling --distribution normal", (10, 20), ()),
    ("uniform_fan_in_", lambda t, **k: init.uniform_fan_in_(t, **k), "uniform-fan-in", (6, 4, 3), ()),
    ("delta_orthogonal_", lambda t, **k: init.delta_orthogonal_(t, 1.2, **k), "delta-orthogonal --gain 1.2",
     (6, 4, 3, 3), ()),
    ("fill", lambda t, **k: weightinit.fill(t, "he-normal --truncated --mode fan_avg", **k),
     "he-normal --truncated --mode fan-avg", (5, 7), ()),
    # 90 000 elements: above the engine's serial threshold, so worker threads fill it.
    ("normal_ large", lambda t, **k: init.normal_(t, **k), "normal", (300, 300), ()),
]


@pytest.mark.parametrize("dtype", list(DTYPES))
@pytest.mark.parametrize("index", range(len(CASES)), ids=[case[0] for case in CASES])
def test_function_equals_cli(cli, index, dtype):
    name, call, scheme, shape, extra = CASES[index]
    seed, stream = 1000 + index, 3 * index + list(DTYPES).index(dtype)
    array = np.full(shape, 7, dtype=dtype)
    returned = call(array, seed=seed, stream=stream, threads=1 + index % 2)
    assert returned is array
    expected, written_shape = cli(scheme, shape or (1,), DTYPES[dtype], seed, stream, extra)
    assert written_shape == (shape or (1,))
    assert array.tobytes() == expected, "%s (%s) differs from weightinit generate %s" % (name, dtype, scheme)


def test_every_function_is_compared_with_the_cli():
    compared = {case[0].split()[0] for case in CASES}
    fills = {name for name in init.__all__ if name.endswith("_")}  # calculate_gain and the deprecated names: test_api
    assert fills <= compared, "no CLI comparison for %s" % (fills - compared)


def test_default_thread_count_changes_no_value(cli):
    a = init.kaiming_normal_(np.empty((300, 300), np.float32), seed=5, stream=9)
    b = init.kaiming_normal_(np.empty((300, 300), np.float32), seed=5, stream=9, threads=1)
    assert a.tobytes() == b.tobytes()
    expected, _ = cli("kaiming-normal --nonlinearity leaky-relu --negative-slope 0", (300, 300), "f32", 5, 9)
    assert a.tobytes() == expected


def test_seed_and_stream_change_the_values():
    # The comparison above could pass by ignoring seed and stream: they must matter.
    base = init.normal_(np.empty(64, np.float32), seed=1, stream=1)
    assert base.tobytes() != init.normal_(np.empty(64, np.float32), seed=2, stream=1).tobytes()
    assert base.tobytes() != init.normal_(np.empty(64, np.float32), seed=1, stream=2).tobytes()


def test_name_seed_and_name_stream_reproduce_a_spec_file(cli, tmp_path):
    spec = {"seed": 11, "tensors": [
        {"name": "fc1.weight", "shape": [8, 6], "scheme": "kaiming-normal", "nonlinearity": "relu"},
        {"name": "fc1.bias", "shape": [8], "scheme": "normal", "std": 0.02},
    ]}
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    output = tmp_path / "model.safetensors"
    import subprocess
    from conftest import cli_path
    subprocess.run([cli_path(), "generate", "--spec", str(tmp_path / "spec.json"), "--output", str(output), "--quiet"],
                   check=True)
    # Stream format 3: the key (name_seed) and the stream (name_stream) both come from the name.
    w = init.kaiming_normal_(np.empty((8, 6), np.float32), nonlinearity="relu",
                             seed=weightinit.name_seed("fc1.weight", 11), stream=weightinit.name_stream("fc1.weight"))
    b = init.normal_(np.empty(8, np.float32), std=0.02, seed=weightinit.name_seed("fc1.bias", 11),
                     stream=weightinit.name_stream("fc1.bias"))
    assert read_safetensors(output, "fc1.weight")[2] == w.tobytes()
    assert read_safetensors(output, "fc1.bias")[2] == b.tobytes()


def test_describe_spells_every_parameter():
    assert weightinit.describe("he_normal --truncated") == "kaiming-normal --mode fan-in --nonlinearity relu --truncated"


def test_name_seed_known_answers():
    # FNV-1a-64 of "a" and "foobar" are the FNV reference's test vectors
    # (af63dc4c8601ec8c, 85944171f73967e8): the key keeps the seed's low half
    # and flips its high half by the hash's.
    assert weightinit.name_seed("a", 42) == 0xAF63DC4C0000002A
    assert weightinit.name_seed("foobar", 2**64 - 1) == 0x7A6BBE8EFFFFFFFF
    assert weightinit.name_seed("a") == 0xAF63DC4C00000000
