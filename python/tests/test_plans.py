"""weightinit.models: model plans over the C ABI (issue 22's Python part) —
numpy only, so these run in the default test command.

Every tensor a plan fills is compared byte for byte with the checkpoint
`weightinit generate` writes for the same rules, variables and seed: from a
Hugging Face config, from a list of (name, shape, dtype), from a
state_dict-like mapping; blocks with the same slice of the whole; the
query's scheme, key and stream with a plain fill (weightinit.fill); and the
bad inputs, each an exception with nothing written.
"""
import json
import subprocess

import numpy as np
import pytest

import weightinit
from weightinit import WeightInitValueError
from weightinit.models import Plan, dtype_name

from conftest import cli_path

LLAMA = {
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 96, "hidden_size": 64,
    "intermediate_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
    "pad_token_id": 5, "initializer_range": 0.03, "tie_word_embeddings": False, "max_position_embeddings": 64,
}
SAFETENSORS_DTYPES = {"F32": "f32", "F64": "f64", "F16": "f16", "BF16": "bf16", "I64": "i64", "I32": "i32",
                      "U8": "u8", "BOOL": "bool"}
NUMPY = {"f32": np.float32, "f64": np.float64, "f16": np.float16, "i64": np.int64, "i32": np.int32, "u8": np.uint8,
         "bool": np.bool_}


def weightinit_cli(*arguments):
    run = subprocess.run([cli_path(), *map(str, arguments)], capture_output=True, text=True)
    assert run.returncode == 0, "weightinit %s failed: %s" % (" ".join(map(str, arguments)), run.stderr)


def read_all(path):
    """{name: (dtype, shape, raw bytes)} of every tensor of a .safetensors file."""
    data = path.read_bytes()
    length = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + length])
    header.pop("__metadata__", None)
    body = data[8 + length:]
    return {name: (SAFETENSORS_DTYPES[e["dtype"]], tuple(e["shape"]), body[e["data_offsets"][0]:e["data_offsets"][1]])
            for name, e in header.items()}


def write_like(path, tensors):
    """A .safetensors file of zeros with these (name, shape, dtype) — a layout for --like."""
    names = {v: k for k, v in SAFETENSORS_DTYPES.items()}
    header, offset, body = {}, 0, b""
    for name, shape, dtype in tensors:
        size = int(np.prod(shape, dtype=np.int64)) * np.dtype(NUMPY[dtype]).itemsize
        header[name] = {"dtype": names[dtype], "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
        body += b"\0" * size
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(len(text).to_bytes(8, "little") + text + body)


@pytest.fixture(scope="module")
def llama(tmp_path_factory):
    """(config path, the CLI's checkpoint of it: {name: (dtype, shape, bytes)})."""
    directory = tmp_path_factory.mktemp("llama")
    config = directory / "config.json"
    config.write_text(json.dumps(LLAMA))
    weightinit_cli("generate", "--config", config, "--output", directory / "model.safetensors", "--seed", 3, "--quiet")
    return config, read_all(directory / "model.safetensors")


def filled(plan, name):
    return plan.fill(name).tobytes()


def test_plan_from_a_config_fills_the_clis_checkpoint(llama):
    config, expected = llama
    for given in (config, str(config), config.read_text(), json.loads(config.read_text())):
        with Plan.from_config(given, seed=3) as plan:
            assert plan.names == tuple(expected), "a config's plan lists the CLI's tensors in its order"
            for name, (dtype, shape, raw) in expected.items():
                assert plan[name].shape == shape and plan[name].dtype == dtype
                assert filled(plan, name) == raw, name


def test_plan_from_a_list_of_tensors_fills_the_same_bytes(llama):
    """The tensors of the CLI's checkpoint, as a list and as a state_dict-like mapping, with hf-llama and the
    config's variables: the same bytes (a tensor's values depend on its name, not on the plan's other tensors)."""
    config, expected = llama
    listed = [(name, shape, dtype) for name, (dtype, shape, _) in expected.items()]
    mapping = {name: np.zeros(shape, NUMPY[dtype]) for name, shape, dtype in listed}
    variables = json.loads(config.read_text())
    for tensors in (listed, mapping, list(reversed(listed))):
        plan = Plan("hf-llama", tensors, seed=3, variables=variables)
        for name, (_, _, raw) in expected.items():
            assert filled(plan, name) == raw, name
    # One tensor alone.
    alone = Plan("hf-llama", [listed[0]], seed=3, variables=variables)
    assert len(alone) == 1 and filled(alone, listed[0][0]) == expected[listed[0][0]][2]


def test_variables_change_what_rules_read(llama):
    config, expected = llama
    name = "model.layers.0.mlp.up_proj.weight"
    shape = expected[name][1]
    assert Plan("hf-llama", [(name, shape, "f32")], variables={"initializer_range": 0.03})[name].scheme \
        == "normal --mean 0 --std 0.03"
    assert Plan("hf-llama", [(name, shape, "f32")])[name].scheme == "normal --mean 0 --std 0.02"
    assert Plan("hf-llama", [(name, shape, "f32")], variables='{"initializer_range": 0.5}')[name].scheme \
        == "normal --mean 0 --std 0.5"


def test_a_tensors_query_reproduces_it_with_a_plain_fill(llama):
    """scheme, seed (the Philox key: name_seed) and stream (name_stream) are what a 1.0 fill needs; parts
    are blocks of their own schemes written over it (the embedding's padding row)."""
    config, expected = llama
    plan = Plan.from_config(config, seed=3)
    for name in ("model.layers.1.self_attn.k_proj.weight", "model.embed_tokens.weight", "model.norm.weight"):
        planned = plan[name]
        assert planned.seed == weightinit.name_seed(name, 3) and planned.stream == weightinit.name_stream(name)
        values = weightinit.fill(np.empty(planned.shape, np.float32), planned.scheme, seed=planned.seed,
                                 stream=planned.stream)
        for part in planned.parts:
            block = tuple(slice(a, b) for a, b in part.region)
            shape = tuple(b - a for a, b in part.region)
            values[block] = weightinit.fill(np.empty(shape, np.float32), part.scheme, seed=part.seed,
                                            stream=part.stream)
        assert values.tobytes() == expected[name][2], name
    embed = plan["model.embed_tokens.weight"]
    assert [(p.region, p.scheme) for p in embed.parts] == [(((5, 6), (0, 64)), "zeros")]
    assert "model.embed_tokens.weight 96×64 f32: normal --mean 0 --std 0.03\n    [5:6, 0:64]: zeros" in plan.describe()


def test_blocks_are_slices_of_the_whole(llama):
    config, expected = llama
    plan = Plan.from_config(config, seed=3)
    for name in ("model.embed_tokens.weight", "model.layers.0.self_attn.o_proj.weight"):
        dtype, shape, raw = expected[name]
        whole = np.frombuffer(raw, np.float32).reshape(shape)
        for region in (((4, 7), (0, 64)), ((0, 1), (3, 64)), ((shape[0] - 2, shape[0]), (10, 11))):
            block = plan.fill(name, region=region)
            assert np.array_equal(block, whole[tuple(slice(a, b) for a, b in region)]), (name, region)
        out = np.full((3, 64), 7.0, np.float32)
        assert plan.fill(name, out, region=(slice(4, 7), slice(None))) is out
        assert np.array_equal(out, whole[4:7])


def test_torch_defaults_with_fan_of_and_an_integer_scalar_equal_the_cli(tmp_path):
    """A lone LSTM's names (no prefix; biases take fans from weight_hh) and a BatchNorm's int64 scalar, --like
    a checkpoint of them."""
    tensors = [("weight_ih_l0", (24, 8), "f32"), ("weight_hh_l0", (24, 6), "f32"), ("bias_ih_l0", (24,), "f32"),
               ("bias_hh_l0", (24,), "f32"), ("bn.weight", (6,), "f64"), ("bn.running_var", (6,), "f32"),
               ("bn.num_batches_tracked", (), "i64"), ("conv.weight", (4, 3, 3, 3), "f16")]
    write_like(tmp_path / "like.safetensors", tensors)
    weightinit_cli("generate", "--like", tmp_path / "like.safetensors", "--rules", "torch-defaults", "--seed", 8,
                   "--output", tmp_path / "init.safetensors", "--quiet")
    expected = read_all(tmp_path / "init.safetensors")
    plan = Plan("torch-defaults", tensors, seed=8)
    assert plan["bias_hh_l0"].scheme == "uniform-fan-in --fan-in 6 --fan-out 24"
    assert plan["bn.num_batches_tracked"].dtype == "i64"
    for name, shape, dtype in tensors:
        assert expected[name][:2] == (dtype, shape)
        assert filled(plan, name) == expected[name][2], name
    # The rule's dtype when none is given: num_batches_tracked is an int64.
    assert Plan("torch-defaults", [("bn.num_batches_tracked", (), None)])["bn.num_batches_tracked"].dtype == "i64"


def test_dtype_names():
    assert [dtype_name(d) for d in ("f32", "float32", np.float16, np.dtype("int64"), "bool")] == \
        ["f32", "f32", "f16", "i64", "bool"]
    with pytest.raises(ValueError, match="complex64"):
        dtype_name(np.complex64)


# MARK: bad input: an exception, nothing written


def test_unknown_rule_set_and_malformed_rules():
    with pytest.raises(WeightInitValueError, match="no-such-rules") as raised:
        Plan("no-such-rules", [("w", (2, 2), "f32")])
    assert raised.value.status == "WEIGHTINIT_ERROR_INVALID_MODEL"
    with pytest.raises(WeightInitValueError):
        Plan('{"rules": [', [("w", (2, 2), "f32")])
    with pytest.raises(WeightInitValueError):
        Plan.from_config('{"model_type": "no-such-family"}')
    with pytest.raises(TypeError, match="rules"):
        Plan(3, [("w", (2, 2), "f32")])


def test_a_tensor_no_rule_covers_is_named_or_skipped():
    tensors = [("fc.weight", (4, 3), "f32"), ("strange_thing", (4,), "f32")]
    with pytest.raises(WeightInitValueError, match="strange_thing"):
        Plan("torch-defaults", tensors)
    plan = Plan("torch-defaults", tensors, skip_unmatched=True)
    assert plan.names == ("fc.weight",) and "strange_thing" not in plan


def test_fill_refusals_write_nothing():
    plan = Plan("torch-defaults", [("fc.weight", (4, 3), "f32"), ("fc.bias", (4,), "f32")], seed=1)
    sentinel = np.full((4, 3), 7.0, np.float32)
    cases = [
        (KeyError, "no tensor named 'fc.nope'", lambda: plan.fill("fc.nope", sentinel)),
        (WeightInitValueError, None, lambda: plan.fill("fc.weight", sentinel[:2], region=((3, 5), (0, 3)))),
        (ValueError, "empty", lambda: plan.fill("fc.weight", sentinel[:0], region=((2, 2), (0, 3)))),
        (ValueError, "shape", lambda: plan.fill("fc.weight", sentinel[:2])),
        (TypeError, "f64", lambda: plan.fill("fc.weight", np.zeros((4, 3), np.float64))),
        (ValueError, "dimensions", lambda: plan.fill("fc.weight", sentinel, region=((0, 4),))),
        (ValueError, "contiguous", lambda: plan.fill("fc.weight", np.full((3, 4), 7.0, np.float32).T)),
        (ValueError, "step", lambda: plan.fill("fc.weight", sentinel[:2], region=(slice(0, 4, 2), slice(None)))),
    ]
    for kind, text, call in cases:
        with pytest.raises(kind, match=text) as raised:
            call()
        if kind is WeightInitValueError:
            assert raised.value.status == "WEIGHTINIT_ERROR_INVALID_REGION"
        assert np.all(sentinel == 7.0)
    plan.close()
    with pytest.raises(ValueError, match="closed"):
        plan.fill("fc.weight", sentinel)
    assert np.all(sentinel == 7.0)
    assert plan["fc.weight"].shape == (4, 3)  # queries are copies


def test_bad_tensor_lists():
    with pytest.raises(TypeError, match="name, shape, dtype"):
        Plan("torch-defaults", [("fc.weight", (4, 3))])
    with pytest.raises(TypeError, match="state_dict"):
        Plan("torch-defaults", "fc.weight")
    with pytest.raises(ValueError, match="NUL"):
        Plan("torch-defaults", [("fc.\0weight", (4, 3), "f32")])
    with pytest.raises(WeightInitValueError, match="fc.weight"):
        Plan("torch-defaults", [("fc.weight", (4, 3), "f32"), ("fc.weight", (4, 3), "f32")])
    with pytest.raises(ValueError, match="complex"):
        Plan("torch-defaults", [("fc.weight", (4, 3), "complex64")])
