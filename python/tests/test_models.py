"""Whole models written by `weightinit generate` and loaded by PyTorch and
Hugging Face strictly, each tensor initialised as the reference code would.

For each model: the checkpoint `weightinit` writes from a config or a
checkpoint's layout with a curated rule set is loaded with
`load_state_dict(strict=True)` or `from_pretrained(output_loading_info=True)`
(nothing missing, unexpected or mismatched), and every tensor is compared
with the same tensor of freshly constructed reference models: constants
exactly, sampled tensors by a two-sample Kolmogorov–Smirnov test against
the values of several reference models pooled. Seeds are fixed on both
sides, so the outcome is the same on every run. A negative control runs the
same comparison on a rule set with one rule wrong and must see it.

Skipped, with the reason, where torch or transformers is not importable:
the default test command does not install them. Run them as
    HF_HUB_OFFLINE=1 WEIGHTINIT_CLI=.build/debug/weightinit /path/to/venv/bin/python -m pytest python/tests/test_models.py -rs
"""
import json
import os
import pathlib
import subprocess

import numpy as np
import pytest

torch = pytest.importorskip(
    "torch", reason="torch is not importable here, so the whole-model tests (strict loads, KS against the reference "
    "initialisation) did not run; run them in an environment with torch and transformers")
stats = pytest.importorskip("scipy.stats", reason="scipy is not importable (the KS tests need it)")
safetensors_torch = pytest.importorskip("safetensors.torch", reason="safetensors is not importable")

from conftest import ROOT, cli_path  # noqa: E402

import importlib.util  # noqa: E402

# The modules whose layouts the manifests record (MLPLSTM, Mixed), from the recorder itself, so the
# tests load checkpoints into exactly the classes the manifests describe.
_spec = importlib.util.spec_from_file_location("recorded", ROOT / "Tests/WeightInitModelsTests/Manifests/record.py")
recorded = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(recorded)

os.environ.setdefault("HF_HUB_OFFLINE", "1")

# Deterministic on both sides; this only bounds the KS statistic's p-value.
ALPHA = 1e-3
REFERENCES = 8


def weightinit(*arguments):
    run = subprocess.run([cli_path(), *map(str, arguments)], capture_output=True, text=True)
    assert run.returncode == 0, "weightinit %s failed: %s" % (" ".join(map(str, arguments)), run.stderr)
    return run.stdout


def mismatches(ours, references):
    """Names of the tensors of `ours` that do not follow the law of the same
    tensor across `references` (state dicts of freshly built models)."""
    wrong = []
    for name, tensor in ours.items():
        pooled = torch.stack([r[name] for r in references]).double().numpy()
        value = tensor.double().numpy()
        if tensor.dtype in (torch.int64, torch.int32, torch.uint8, torch.bool) or np.all(pooled == pooled.flat[0]):
            if not np.array_equal(value, pooled[0]):
                wrong.append((name, "constant differs"))
            continue
        # Rows the reference zeroes (an embedding's padding row) are zero in ours, and only those.
        if value.ndim == 2:
            zero_rows = np.all(pooled == 0, axis=(0, 2))
            if not np.array_equal(zero_rows, np.all(value == 0, axis=1)):
                wrong.append((name, "zero rows differ"))
                continue
            value, pooled = value[~zero_rows], pooled[:, ~zero_rows]
        # A uniform (excess kurtosis −1.2; a normal's is 0) sampled enough that its range nearly reaches its
        # bounds: ours must stay inside. Told by kurtosis, not by a symmetric range, which a normal's extremes
        # also have by chance; small tensors (a 3-element bias) are left to KS.
        low, high = pooled.min(), pooled.max()
        bounded = pooled.size >= 1000 and stats.kurtosis(pooled.ravel()) < -0.6
        if bounded and (value.min() < low * 1.05 or value.max() > high * 1.05):
            wrong.append((name, "outside [%g, %g]" % (low, high)))
            continue
        p = stats.ks_2samp(value.ravel(), pooled.ravel()).pvalue
        if p < ALPHA:
            wrong.append((name, "KS p = %.2g" % p))
    return wrong


def references(build):
    models = []
    for seed in range(REFERENCES):
        torch.manual_seed(seed)
        models.append(build().state_dict())
    return models


# MARK: Hugging Face, from config.json


def hf_case(family):
    """(config, Auto class) of a tiny model of `family`; skips where transformers is not importable (the
    torch-only tests below still run)."""
    transformers = pytest.importorskip("transformers", reason="transformers is not importable")
    return {
        "llama": lambda: (transformers.LlamaConfig(
            vocab_size=96, hidden_size=64, intermediate_size=96, num_hidden_layers=2, num_attention_heads=4,
            num_key_value_heads=2, pad_token_id=5, attention_bias=True), transformers.AutoModelForCausalLM),
        "gpt2": lambda: (transformers.GPT2Config(
            vocab_size=96, n_positions=32, n_embd=64, n_layer=4, n_head=4, bos_token_id=0, eos_token_id=0),
            transformers.AutoModelForCausalLM),
        "bert": lambda: (transformers.BertConfig(
            vocab_size=96, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=96,
            max_position_embeddings=40), transformers.AutoModelForMaskedLM),
    }[family]()


HF_FAMILIES = ["llama", "gpt2", "bert"]


def load_shards(directory):
    saved = {}
    for shard in sorted(directory.glob("model*.safetensors")):
        saved.update(safetensors_torch.load_file(shard))
    return saved


def hf_checkpoint(tmp_path, family, rules=None, dtype=None):
    config, auto = hf_case(family)
    config.architectures = [auto._model_mapping[type(config)].__name__]
    config.save_pretrained(tmp_path / "config")
    output = tmp_path / "model"
    extra = (["--rules", rules] if rules else []) + (["--dtype", dtype] if dtype else [])
    # Small shards: several files, an index and the config, as from_pretrained reads them.
    weightinit("generate", "--config", tmp_path / "config" / "config.json", "--max-shard-size", "40KB",
               "--output", output, "--seed", 3, "--quiet", *extra)
    return config, auto, output


@pytest.mark.parametrize("family", HF_FAMILIES)
def test_hugging_face_loads_strictly_and_matches_init_weights(tmp_path, family):
    config, auto, output = hf_checkpoint(tmp_path, family)
    assert (output / "model.safetensors.index.json").exists() and (output / "config.json").exists()
    model, info = auto.from_pretrained(output, output_loading_info=True)
    assert {k: v for k, v in info.items() if v} == {}, info
    saved = load_shards(output)
    assert set(saved) <= set(model.state_dict())
    reference = references(lambda: auto.from_config(config))
    assert mismatches(saved, reference) == []


@pytest.mark.parametrize("dtype,torch_dtype", [("bf16", "bfloat16"), ("f16", "float16"), ("f64", "float64")])
def test_hugging_face_other_dtypes_load_strictly(tmp_path, dtype, torch_dtype):
    _, auto, output = hf_checkpoint(tmp_path, "llama", dtype=dtype)
    saved = load_shards(output)
    assert {t.dtype for t in saved.values()} == {getattr(torch, torch_dtype)}
    model, info = auto.from_pretrained(output, output_loading_info=True, dtype=getattr(torch, torch_dtype))
    assert {k: v for k, v in info.items() if v} == {}, info
    assert model.model.embed_tokens.weight.dtype == getattr(torch, torch_dtype)


@pytest.mark.parametrize("family", HF_FAMILIES)
@pytest.mark.parametrize("shard_size", [None, "40KB"])
def test_hugging_face_from_a_saved_checkpoint(tmp_path, family, shard_size):
    """--like what transformers' own save_pretrained wrote (one model.safetensors, or shards and their index)
    with its config.json for the variables: the layout is the checkpoint's (tied weights left out as
    transformers leaves them out), the output loads strictly and follows _init_weights."""
    config, auto = hf_case(family)
    config.architectures = [auto._model_mapping[type(config)].__name__]
    torch.manual_seed(0)
    saved_by_transformers = tmp_path / "saved"
    auto.from_config(config).save_pretrained(saved_by_transformers, **({"max_shard_size": shard_size} if shard_size else {}))
    like = saved_by_transformers / ("model.safetensors.index.json" if shard_size else "model.safetensors")
    assert like.exists()
    output = tmp_path / "model"
    weightinit("generate", "--like", like, "--config", saved_by_transformers / "config.json", "--max-shard-size", "40KB",
               "--output", output, "--seed", 5, "--quiet")
    saved = load_shards(output)
    assert set(saved) == set(load_shards(saved_by_transformers))
    model, info = auto.from_pretrained(output, output_loading_info=True)
    assert {k: v for k, v in info.items() if v} == {}, info
    assert mismatches(saved, references(lambda: auto.from_config(config))) == []


def test_negative_control_a_wrong_rule_is_seen(tmp_path):
    """GPT-2 with its residual projections at initializer_range instead of
    initializer_range/√(2·n_layer) (the c_proj rule removed): the comparison
    must name exactly those tensors."""
    rules = json.loads(weightinit("rules", "hf-gpt2"))
    rules["rules"] = [r for r in rules["rules"] if r.get("match") != "*.c_proj.weight"]
    path = tmp_path / "wrong.json"
    path.write_text(json.dumps(rules))
    config, auto, output = hf_checkpoint(tmp_path, "gpt2", rules=path)
    saved = load_shards(output)
    wrong = {name for name, _ in mismatches(saved, references(lambda: auto.from_config(config)))}
    assert wrong == {"transformer.h.%d.%s.c_proj.weight" % (i, m) for i in range(4) for m in ("attn", "mlp")}


# MARK: PyTorch modules, from a checkpoint's layout


def test_torch_defaults_from_a_checkpoint(tmp_path):
    """--like a PyTorch checkpoint (int64 scalar buffers included) with torch-defaults: loads strictly and
    every tensor follows its module's reset_parameters."""
    torch.manual_seed(100)
    safetensors_torch.save_file(recorded.Mixed().state_dict(), tmp_path / "like.safetensors")
    weightinit("generate", "--like", tmp_path / "like.safetensors", "--rules", "torch-defaults",
               "--output", tmp_path / "init.safetensors", "--seed", 9, "--quiet")
    saved = safetensors_torch.load_file(tmp_path / "init.safetensors")
    assert saved["bn.num_batches_tracked"].dtype == torch.int64 and saved["bn.num_batches_tracked"].shape == ()
    recorded.Mixed().load_state_dict(saved, strict=True)
    assert mismatches(saved, references(recorded.Mixed)) == []


@pytest.mark.parametrize("module", sorted(recorded.LONE))
def test_torch_defaults_from_a_lone_modules_state_dict(tmp_path, module):
    """A lone module's state_dict — names without a prefix (weight, bias_hh_l0, in_proj_weight) — --like it
    with torch-defaults: loads strictly, and follows reset_parameters; a lone Embedding's one `weight` cannot
    be told from a Linear's by its name and takes the Linear's law (the README says so)."""
    torch.manual_seed(100)
    safetensors_torch.save_file(recorded.LONE[module]().state_dict(), tmp_path / "like.safetensors")
    weightinit("generate", "--like", tmp_path / "like.safetensors", "--rules", "torch-defaults",
               "--output", tmp_path / "init.safetensors", "--seed", 4, "--quiet")
    saved = safetensors_torch.load_file(tmp_path / "init.safetensors")
    recorded.LONE[module]().load_state_dict(saved, strict=True)
    wrong = mismatches(saved, references(recorded.LONE[module]))
    if module == "embedding":
        assert [name for name, _ in wrong] == ["weight"], wrong   # U(±1/√16), where nn.Embedding draws N(0, 1)
    else:
        assert wrong == [], wrong


@pytest.mark.parametrize("zero_init_residual", [False, True])
def test_resnet18_example(tmp_path, zero_init_residual):
    torchvision = pytest.importorskip("torchvision", reason="torchvision is not importable")
    spec = json.loads((ROOT / "docs/examples/resnet18.json").read_text())
    spec["variables"]["zero_init_residual"] = zero_init_residual
    (tmp_path / "resnet18.json").write_text(json.dumps(spec))
    weightinit("generate", "--spec", tmp_path / "resnet18.json", "--output", tmp_path / "r.safetensors", "--quiet")
    saved = safetensors_torch.load_file(tmp_path / "r.safetensors")
    torchvision.models.resnet18().load_state_dict(saved, strict=True)
    build = lambda: torchvision.models.resnet18(zero_init_residual=zero_init_residual)  # noqa: E731
    assert mismatches(saved, references(build)) == []
    assert bool(torch.all(saved["layer1.0.bn2.weight"] == 0)) == zero_init_residual


def test_mlp_lstm_example_loads_into_real_modules(tmp_path):
    """docs/examples/mlp-lstm.json names what nn.Linear, nn.Embedding and nn.LSTM hold; the forget gate's
    input bias is 1, the other gates' 0."""
    weightinit("generate", "--spec", ROOT / "docs/examples/mlp-lstm.json", "--output", tmp_path / "m.safetensors",
               "--quiet")
    saved = safetensors_torch.load_file(tmp_path / "m.safetensors")
    recorded.MLPLSTM().load_state_dict(saved, strict=True)
    bias = saved["lstm.bias_ih_l0"].reshape(4, 256)
    assert torch.all(bias[1] == 1) and torch.all(bias[[0, 2, 3]] == 0)
    weight = saved["fc2.weight"].double()
    assert float(saved["fc2.bias"].abs().max()) <= 1 / 16 and weight.shape == (10, 256)


def test_mlp_lstm_example_follows_torch_nn_init(tmp_path):
    """Each sampled tensor of docs/examples/mlp-lstm.json against the torch.nn.init function its scheme names,
    applied to fresh tensors of the same shape (KS; the orthogonal gate blocks by their Gram matrices)."""
    spec = json.loads((ROOT / "docs/examples/mlp-lstm.json").read_text())
    shapes = {t["name"]: t["shape"] for t in spec["tensors"]}
    init = torch.nn.init
    reference = {
        "fc1.weight": lambda t: init.kaiming_normal_(t, nonlinearity="relu"),
        "fc2.weight": init.xavier_uniform_,
        "fc2.bias": lambda t: init.uniform_(t, -1 / 16, 1 / 16),
        "embedding.weight": lambda t: init.trunc_normal_(t, std=0.02),
        "lstm.weight_ih_l0": init.xavier_uniform_,
    }
    weightinit("generate", "--spec", ROOT / "docs/examples/mlp-lstm.json", "--output", tmp_path / "m.safetensors",
               "--quiet")
    saved = safetensors_torch.load_file(tmp_path / "m.safetensors")
    wrong = []
    for name, fill in reference.items():
        pooled = []
        for seed in range(REFERENCES):
            torch.manual_seed(seed)
            pooled.append(fill(torch.empty(shapes[name], dtype=torch.float64)).ravel())
        p = stats.ks_2samp(saved[name].double().ravel().numpy(), torch.cat(pooled).numpy()).pvalue
        if p < ALPHA:
            wrong.append((name, p))
    assert wrong == []
    blocks = saved["lstm.weight_hh_l0"].double().reshape(4, 256, 256)
    for block in blocks:
        assert torch.allclose(block @ block.T, torch.eye(256, dtype=torch.float64), atol=1e-5)
    assert torch.all(saved["fc1.bias"] == 0) and torch.all(saved["lstm.bias_hh_l0"] == 0)


# MARK: config values of the wrong type, against transformers' own config classes

SMALL_CONFIGS = {
    "llama": dict(vocab_size=32, hidden_size=16, num_hidden_layers=1, intermediate_size=32, num_attention_heads=4),
    "gpt2": dict(vocab_size=32, n_positions=8, n_embd=16, n_layer=1, n_head=4),
    "bert": dict(vocab_size=32, hidden_size=16, num_hidden_layers=1, intermediate_size=32, num_attention_heads=4,
                 max_position_embeddings=8),
}

# (family, key, value): values transformers 5.25's config classes (their @strict validation) refuse;
# `weightinit generate --config` must refuse each one naming the key, never read a default instead.
CONFIG_VALUES_REFUSED = [
    ("llama", "hidden_size", "1024"), ("llama", "hidden_size", 16.0), ("llama", "hidden_size", True),
    ("llama", "hidden_size", None), ("llama", "num_attention_heads", 3), ("llama", "initializer_range", 1),
    ("llama", "initializer_range", "x"), ("llama", "initializer_range", 1.5), ("llama", "tie_word_embeddings", 1),
    ("llama", "attention_bias", "yes"), ("llama", "head_dim", 4.0), ("gpt2", "n_embd", "16"),
    ("gpt2", "n_layer", None), ("gpt2", "initializer_range", "0.02"), ("gpt2", "n_inner", "64"),
    ("bert", "type_vocab_size", None), ("bert", "initializer_range", True), ("bert", "pad_token_id", "0"),
]

# Values transformers' config classes accept and we read as they do.
CONFIG_VALUES_ACCEPTED = [
    ("llama", "num_hidden_layers", 0), ("gpt2", "n_layer", 0), ("bert", "num_hidden_layers", 0),
    ("llama", "head_dim", None), ("llama", "pad_token_id", -1), ("gpt2", "n_inner", None),
    ("llama", "initializer_range", 0.5), ("bert", "initializer_range", 2e-2),
]


def write_config(tmp_path, family, key, value):
    config = dict(SMALL_CONFIGS[family], model_type=family, **{key: value})
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return config, path


def config_class(family):
    transformers = pytest.importorskip("transformers", reason="transformers is not importable")
    return {"llama": transformers.LlamaConfig, "gpt2": transformers.GPT2Config, "bert": transformers.BertConfig}[family]


@pytest.mark.parametrize("family,key,value", CONFIG_VALUES_REFUSED)
def test_config_values_transformers_refuses_are_refused(tmp_path, family, key, value):
    config, path = write_config(tmp_path, family, key, value)
    with pytest.raises(Exception):
        config_class(family)(**{k: v for k, v in config.items() if k != "model_type"})
    run = subprocess.run([cli_path(), "generate", "--config", path, "--output", tmp_path / "m.safetensors"],
                         capture_output=True, text=True)
    assert run.returncode == 64 and key in run.stderr, run.stderr
    assert not (tmp_path / "m.safetensors").exists()


@pytest.mark.parametrize("family,key,value", CONFIG_VALUES_ACCEPTED)
def test_config_values_transformers_accepts_are_accepted(tmp_path, family, key, value):
    config, path = write_config(tmp_path, family, key, value)
    config_class(family)(**{k: v for k, v in config.items() if k != "model_type"})
    weightinit("generate", "--config", path, "--output", tmp_path / "m.safetensors", "--quiet")
    assert (tmp_path / "m.safetensors").exists()
