"""Records the manifests in this directory: the names, shapes and dtypes of
the tensors that real checkpoints hold, taken from PyTorch, transformers and
torchvision for small configs. Facts, committed as data; ManifestTests and
RuleSetTests check what WeightInitModels computes against them without
needing Python.

    HF_HUB_OFFLINE=1 /path/to/venv/bin/python Tests/WeightInitModelsTests/Manifests/record.py
    /path/to/venv/bin/python Tests/WeightInitModelsTests/Manifests/record.py lone   # the lone modules only

Hugging Face entries hold what save_pretrained writes (tied weights left
out), in state_dict order, with the config.json it writes beside them.
"""
import json
import os
import sys
import tempfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = {torch.float32: "f32", torch.float64: "f64", torch.float16: "f16", torch.bfloat16: "bf16",
          torch.int64: "i64", torch.int32: "i32", torch.uint8: "u8", torch.bool: "bool"}


# The PyTorch modules whose state_dict() the manifests record; python/tests/test_models.py
# loads its generated checkpoints into these same classes.

class MLPLSTM(torch.nn.Module):
    """docs/examples/mlp-lstm.json: an MLP, an embedding and an LSTM."""
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(784, 256)
        self.fc2 = torch.nn.Linear(256, 10)
        self.embedding = torch.nn.Embedding(100, 64)
        self.lstm = torch.nn.LSTM(64, 256)


class Mixed(torch.nn.Module):
    """Every module torch-defaults names: convolutions, BatchNorm, LayerNorm, GroupNorm,
    an embedding, a 2-layer bidirectional LSTM, a GRU, multi-head attention, a linear head."""
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3)
        self.bn = torch.nn.BatchNorm2d(8)
        self.conv1d = torch.nn.Conv1d(8, 6, 5, groups=2)
        self.gn = torch.nn.GroupNorm(2, 6)
        self.deconv = torch.nn.ConvTranspose2d(6, 4, 3)
        self.embedding = torch.nn.Embedding(50, 16)
        self.lstm = torch.nn.LSTM(16, 12, num_layers=2, bidirectional=True)
        self.gru = torch.nn.GRU(24, 10)
        self.attn = torch.nn.MultiheadAttention(10, 2)
        self.norm = torch.nn.LayerNorm(10)
        self.head = torch.nn.Linear(10, 3)


# Lone modules: a top-level module's state_dict() has names without a prefix
# (weight, bias_hh_l0, in_proj_weight), which the built-in rule sets must take.
LONE = {
    "lstm": lambda: torch.nn.LSTM(32, 48),
    "gru": lambda: torch.nn.GRU(16, 24, num_layers=2, bidirectional=True),
    "linear": lambda: torch.nn.Linear(20, 30),
    "conv2d": lambda: torch.nn.Conv2d(3, 8, 3),
    "batchnorm2d": lambda: torch.nn.BatchNorm2d(8),
    "layernorm": lambda: torch.nn.LayerNorm(10),
    "embedding": lambda: torch.nn.Embedding(50, 16),
    "multiheadattention": lambda: torch.nn.MultiheadAttention(10, 2),
    "multiheadattention-kv": lambda: torch.nn.MultiheadAttention(10, 2, kdim=6, vdim=4, add_bias_kv=True),
}


def lone_modules():
    for name, make in LONE.items():
        module = make()
        shown = " ".join(repr(module).split())
        write("lone-" + name, f"torch {torch.__version__}: {shown}.state_dict()", list(module.state_dict().items()))


def write(name, source, tensors, config=None):
    rows = [json.dumps([k, list(v.shape), DTYPES[v.dtype]]) for k, v in tensors]
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        f.write("{\"source\": " + json.dumps(source) + ",\n")
        if config is not None:
            f.write(" \"config\": " + json.dumps(config, sort_keys=True) + ",\n")
        f.write(" \"tensors\": [\n  " + ",\n  ".join(rows) + "\n ]}\n")
    print(name, len(tensors), "tensors")


def hugging_face(name, model_class, config):
    import transformers
    from safetensors import safe_open
    torch.manual_seed(0)
    model = model_class(config)
    directory = tempfile.mkdtemp()
    model.save_pretrained(directory)
    with safe_open(os.path.join(directory, "model.safetensors"), "pt") as f:
        saved = set(f.keys())
    with open(os.path.join(directory, "config.json")) as f:
        saved_config = json.load(f)
    tensors = [(k, v) for k, v in model.state_dict().items() if k in saved]
    assert len(tensors) == len(saved), (name, sorted(saved - {k for k, _ in tensors}))
    write(name, f"transformers {transformers.__version__}: {model_class.__name__}(config).save_pretrained", tensors,
          saved_config)


def main(arguments):
    lone_modules()
    if arguments == ["lone"]:
        return
    from transformers import (BertConfig, BertForMaskedLM, BertModel, GPT2Config, GPT2LMHeadModel, GPT2Model,
                              LlamaConfig, LlamaForCausalLM, LlamaModel)
    llama = dict(vocab_size=64, hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=2, max_position_embeddings=64)
    hugging_face("llama-causal-lm", LlamaForCausalLM, LlamaConfig(**llama))
    hugging_face("llama-biases-tied", LlamaForCausalLM,
                 LlamaConfig(**llama, attention_bias=True, mlp_bias=True, tie_word_embeddings=True, head_dim=16,
                             pad_token_id=0))
    hugging_face("llama-model", LlamaModel, LlamaConfig(**dict(llama, num_key_value_heads=None)))
    gpt2 = dict(vocab_size=64, n_positions=32, n_embd=32, n_layer=2, n_head=4, bos_token_id=0, eos_token_id=0)
    hugging_face("gpt2-lm-head", GPT2LMHeadModel, GPT2Config(**gpt2))
    hugging_face("gpt2-untied", GPT2LMHeadModel, GPT2Config(**gpt2, tie_word_embeddings=False))
    hugging_face("gpt2-model", GPT2Model, GPT2Config(**gpt2, n_inner=40))
    bert = dict(vocab_size=64, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=48,
                max_position_embeddings=40)
    hugging_face("bert-masked-lm", BertForMaskedLM, BertConfig(**bert))
    hugging_face("bert-untied", BertForMaskedLM, BertConfig(**bert, tie_word_embeddings=False, type_vocab_size=3))
    hugging_face("bert-model", BertModel, BertConfig(**bert))

    # The modules of the examples in docs/examples, as PyTorch names them.
    import torchvision
    write("resnet18", f"torchvision {torchvision.__version__}: resnet18().state_dict()",
          list(torchvision.models.resnet18().state_dict().items()))

    write("mlp-lstm", f"torch {torch.__version__}: the MLPLSTM of record.py, state_dict()",
          list(MLPLSTM().state_dict().items()))

    write("torch-modules", f"torch {torch.__version__}: the Mixed module of record.py, state_dict()",
          list(Mixed().state_dict().items()))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
