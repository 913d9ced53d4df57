"""weightinit.init_module on whole PyTorch modules, in one process (issue 23):
every tensor's bytes equal the checkpoint `weightinit generate` writes for
the same rules and seed (--like the module's state_dict, or --config for
Hugging Face models), its law that of the reference initialisation (KS, as
test_models.py), and the bad inputs refused with nothing written.

Skipped, with the reason (-rs), where torch is not importable; the Hugging
Face cases also where transformers is not, ResNet where torchvision is not.
"""
import json
import os
import subprocess
import sys

import pytest

torch = pytest.importorskip(
    "torch", reason="torch is not importable here, so init_module's tests (whole modules against the CLI's "
    "checkpoints, KS, bad input) did not run; run them in an environment with torch")
safetensors_torch = pytest.importorskip("safetensors.torch", reason="safetensors is not importable")
pytest.importorskip("scipy.stats", reason="scipy is not importable (the KS tests need it)")

import weightinit  # noqa: E402
from weightinit import WeightInitValueError  # noqa: E402

from conftest import ROOT, cli_path  # noqa: E402
from test_models import mismatches, references  # noqa: E402

os.environ.setdefault("HF_HUB_OFFLINE", "1")
SEED = 6


def weightinit_cli(*arguments):
    run = subprocess.run([cli_path(), *map(str, arguments)], capture_output=True, text=True)
    assert run.returncode == 0, "weightinit %s failed: %s" % (" ".join(map(str, arguments)), run.stderr)


def state(module):
    """Every state_dict tensor, cloned (tied ones once per name)."""
    return {name: tensor.detach().clone() for name, tensor in module.state_dict().items()}


def cli_like(tmp_path, module, rules, seed=SEED, extra=()):
    """The CLI's checkpoint --like the module's state_dict (its names, shapes and dtypes)."""
    like = tmp_path / "like.safetensors"
    safetensors_torch.save_file(state(module), like)
    output = tmp_path / "init.safetensors"
    weightinit_cli("generate", "--like", like, "--rules", rules, "--seed", seed, "--output", output, "--quiet", *extra)
    return safetensors_torch.load_file(output)


def assert_bytes_equal(module, expected, names=None):
    got = state(module)
    names = sorted(expected) if names is None else names
    assert names
    for name in names:
        a, b = got[name], expected[name]
        assert a.dtype == b.dtype and a.shape == b.shape, name
        assert a.contiguous().view(-1).view(torch.uint8).numpy().tobytes() == \
            b.contiguous().view(-1).view(torch.uint8).numpy().tobytes(), name


# MARK: torch modules, --like their state_dict


def torch_modules():
    nn = torch.nn
    return {
        "lstm": lambda: nn.LSTM(12, 16, num_layers=2, bidirectional=True),
        "gru": lambda: nn.GRU(10, 14),
        "transformer-encoder-layer": lambda: nn.TransformerEncoderLayer(32, 4, dim_feedforward=48),
        "mixed": lambda: nn.ModuleDict({"conv": nn.Conv2d(3, 8, 3), "bn": nn.BatchNorm2d(8), "fc": nn.Linear(8, 5),
                                     "embedding": nn.Embedding(20, 8), "norm": nn.LayerNorm(8)}),
    }


@pytest.mark.parametrize("kind", sorted(torch_modules()))
def test_torch_module_equals_the_cli_and_follows_reset_parameters(tmp_path, kind):
    build = torch_modules()[kind]
    torch.manual_seed(0)
    module = build()
    report = weightinit.init_module(module, "torch-defaults", seed=SEED)
    assert report.filled and all(t.scheme for t in report)
    expected = cli_like(tmp_path, module, "torch-defaults")
    assert_bytes_equal(module, expected)
    assert mismatches(state(module), references(build)) == []


def test_resnet18_equals_the_cli_and_follows_torchvision(tmp_path):
    models = pytest.importorskip("torchvision.models", reason="torchvision is not importable")
    module = models.resnet18()
    weightinit.init_module(module, "torchvision-resnet", seed=SEED)
    assert module.bn1.num_batches_tracked.dtype == torch.int64 and int(module.bn1.num_batches_tracked) == 0
    expected = cli_like(tmp_path, module, "torchvision-resnet")
    assert len(expected) == len(module.state_dict())
    assert_bytes_equal(module, expected)
    assert mismatches(state(module), references(models.resnet18)) == []


@pytest.mark.parametrize("dtype", [torch.float64, torch.float16, torch.bfloat16], ids=str)
def test_other_dtypes_equal_the_cli(tmp_path, dtype):
    module = torch.nn.Sequential(torch.nn.Linear(9, 7), torch.nn.LayerNorm(7)).to(dtype)
    weightinit.init_module(module, "torch-defaults", seed=SEED)
    assert_bytes_equal(module, cli_like(tmp_path, module, "torch-defaults"))


# MARK: Hugging Face models, --config their config


def hf_model(family, **overrides):
    transformers = pytest.importorskip("transformers", reason="transformers is not importable")
    from test_models import hf_case

    config, auto = hf_case(family)
    for key, value in overrides.items():
        setattr(config, key, value)
    config.architectures = [auto._model_mapping[type(config)].__name__]
    return config, auto, transformers


@pytest.mark.parametrize("family", ["llama", "gpt2", "bert"])
def test_hugging_face_model_equals_the_cli_and_follows_init_weights(tmp_path, family):
    config, auto, _ = hf_model(family)
    torch.manual_seed(0)
    module = auto.from_config(config)
    report = weightinit.init_module(module, None, seed=SEED)  # the family's rule set, the config's variables
    assert report.rules == "hf-" + family
    config.save_pretrained(tmp_path / "config")
    output = tmp_path / "model.safetensors"
    weightinit_cli("generate", "--config", tmp_path / "config" / "config.json", "--seed", SEED, "--output", output,
                   "--quiet")
    expected = safetensors_torch.load_file(output)
    # The CLI leaves tied weights out; init_module fills them once, by their first name.
    assert {t.name for t in report} == set(expected)
    assert_bytes_equal(module, expected)
    assert mismatches({n: t for n, t in state(module).items() if n in expected},
                      references(lambda: auto.from_config(config))) == []


def test_tied_parameters_are_filled_once_and_the_report_says_so():
    config, auto, _ = hf_model("llama", tie_word_embeddings=True)
    module = auto.from_config(config)
    assert module.lm_head.weight is module.model.embed_tokens.weight
    report = weightinit.init_module(module, "hf-llama", seed=SEED)
    entry = next(t for t in report if t.name == "model.embed_tokens.weight")
    assert entry.tied == ("lm_head.weight",)
    assert "lm_head.weight" not in {t.name for t in report}
    assert "tied: lm_head.weight" in str(report)
    assert torch.equal(module.model.embed_tokens.weight[config.pad_token_id], torch.zeros(config.hidden_size))


def test_variables_come_from_the_config_unless_given():
    config, auto, _ = hf_model("llama", initializer_range=0.05)
    module = auto.from_config(config)
    name = "model.layers.0.mlp.up_proj.weight"
    by_config = {t.name: t.scheme for t in weightinit.init_module(module, "hf-llama", dry_run=True)}
    assert by_config[name] == "normal --mean 0 --std 0.05"
    by_defaults = {t.name: t.scheme for t in weightinit.init_module(module, "hf-llama", variables={}, dry_run=True)}
    assert by_defaults[name] == "normal --mean 0 --std 0.02"
    given = {t.name: t.scheme for t in weightinit.init_module(module, "hf-llama", variables={"initializer_range": 1},
                                                             dry_run=True)}
    assert given[name] == "normal --mean 0 --std 1"


# MARK: what init_module keeps and reports


def test_requires_grad_is_kept_and_autograd_told():
    module = torch.nn.Linear(6, 4)
    module.bias.requires_grad_(False)
    versions = (module.weight._version, module.bias._version)
    with torch.enable_grad():
        weightinit.init_module(module, "torch-defaults", seed=1)
    assert module.weight.requires_grad and not module.bias.requires_grad
    assert module.weight.grad_fn is None and module.weight.is_leaf
    assert module.weight._version > versions[0] and module.bias._version > versions[1]


def test_a_dry_run_reads_and_writes_nothing():
    nn = torch.nn
    with torch.device("meta"):
        on_meta = nn.Sequential(nn.Linear(6, 4), nn.BatchNorm1d(4))
    report = weightinit.init_module(on_meta, "torch-defaults", seed=2, dry_run=True)
    text = str(report)
    assert text.splitlines()[0] == "would fill (dry run) 7 tensors with rules torch-defaults, seed 2"
    assert "0.weight  4×6 f32  uniform-fan-in" in text
    assert "0.bias  4 f32  uniform-fan-in --fan-in 6 --fan-out 4" in text
    assert "1.num_batches_tracked  scalar i64  zeros" in text
    assert not report.filled
    plain = nn.Linear(6, 4)
    before = state(plain)
    weightinit.init_module(plain, "torch-defaults", dry_run=True)
    assert all(torch.equal(before[n], t) for n, t in state(plain).items())


def test_non_persistent_buffers_are_left_alone():
    module = torch.nn.Linear(3, 2)
    module.register_buffer("scratch", torch.full((5,), 9.0), persistent=False)
    report = weightinit.init_module(module, "torch-defaults")
    assert "scratch" not in {t.name for t in report} and torch.all(module.scratch == 9.0)


# MARK: bad input: a clear exception, nothing written to any tensor


def sentinel_module():
    module = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Linear(3, 2))
    with torch.no_grad():
        for p in module.parameters():
            p.fill_(7.0)
    return module


def untouched(module):
    return all(torch.all(p == 7.0) for p in module.parameters())


def test_meta_tensor_is_refused_with_to_empty():
    module = sentinel_module()
    module[1].weight = torch.nn.Parameter(torch.empty(2, 3, device="meta"))
    with pytest.raises(ValueError, match=r"'1.weight' is on the meta device.*to_empty\(") as raised:
        weightinit.init_module(module, "torch-defaults")
    assert "nothing was written" in str(raised.value)
    assert all(torch.all(p == 7.0) for n, p in module.named_parameters() if n != "1.weight")


def test_non_contiguous_parameter_is_refused():
    module = sentinel_module()
    module[1].weight = torch.nn.Parameter(torch.full((3, 2), 7.0).t())
    with pytest.raises(ValueError, match="'1.weight' is not contiguous"):
        weightinit.init_module(module, "torch-defaults")
    assert untouched(module)


def test_unknown_rule_set_is_refused():
    module = sentinel_module()
    with pytest.raises(WeightInitValueError, match="no-such-rules"):
        weightinit.init_module(module, "no-such-rules")
    assert untouched(module)
    with pytest.raises(ValueError, match="has no config"):
        weightinit.init_module(module, None)
    assert untouched(module)


def test_a_tensor_no_rule_covers_is_named_or_left_alone():
    module = sentinel_module()
    module.register_parameter("odd_one", torch.nn.Parameter(torch.full((3,), 7.0)))
    with pytest.raises(WeightInitValueError, match="odd_one"):
        weightinit.init_module(module, "torch-defaults")
    assert untouched(module)
    report = weightinit.init_module(module, "torch-defaults", skip_unmatched=True)
    assert torch.all(module.odd_one == 7.0) and not torch.all(module[0].weight == 7.0)
    assert "odd_one  3 f32  (no rule: left as it is)" in str(report)


def test_unsupported_dtype_and_types_are_refused():
    module = sentinel_module()
    module.register_buffer("codes", torch.zeros(3, dtype=torch.complex64))
    with pytest.raises(TypeError, match="'codes' is torch.complex64"):
        weightinit.init_module(module, "torch-defaults")
    assert untouched(module)
    with pytest.raises(TypeError, match="torch.nn.Module"):
        weightinit.init_module({"weight": torch.zeros(2)}, "torch-defaults")


# MARK: the README's example


def test_the_readmes_fsdp_example_runs(tmp_path):
    """python/examples/fsdp_llama.py, as the README runs it: a tiny Llama on meta, fully_shard over 2 gloo
    ranks, init_module, gathered — equal to a single-process run."""
    pytest.importorskip("transformers", reason="transformers is not importable")
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    run = subprocess.run([sys.executable, str(ROOT / "python/examples/fsdp_llama.py")], capture_output=True,
                         text=True, env=environment, cwd=tmp_path, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "identical to a single-process init_module" in run.stdout, run.stdout
