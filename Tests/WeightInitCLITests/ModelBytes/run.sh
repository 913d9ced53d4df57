#!/usr/bin/env bash
# Runs the README's whole-model examples (and a few single-tensor runs) with
# the `weightinit` given, in an empty directory, and prints the SHA-256 of
# every file they write, one "<sha256>  <path>" line each, sorted by path.
# expected.sha256 beside this script holds what the CLI writes under stream
# format 3: recorded first before the model layer moved into WeightInitModels
# (main at 59ee671), then regenerated deliberately when stream format 3 gave
# named tensors keys of their own (every .npy file kept its hash; the
# single-tensor .safetensors files changed only in their metadata's format
# version; the models' headers are unchanged, their constant tensors keep
# their bytes and their sampled ones change). ModelBytesTests runs this
# script with the built tool and compares, so the CLI's bytes cannot change
# unnoticed.
#
#     Tests/WeightInitCLITests/ModelBytes/run.sh .build/debug/weightinit "$(mktemp -d)"
set -euo pipefail
tool=$(realpath "$1")
out=$2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
examples="$root/docs/examples"
mkdir -p "$out"
cd "$out"
run() { "$tool" generate "$@" --quiet; }

# The README's whole models.
run --config "$examples/llama-config.json" --max-shard-size 20MB --output tiny-llama
run --config "$examples/llama-config.json" --max-shard-size 20MB --dtype bf16 --seed 3 --output tiny-llama-bf16
run --config "$examples/llama-config.json" --max-shard-size 20MB --shard 1/2 --output tiny-llama-tp1
run --like tiny-llama/model.safetensors.index.json --rules hf-llama --seed 5 --max-shard-size 30MB --output tiny-llama-like
run --spec "$examples/resnet18.json" --output resnet18.safetensors
run --like resnet18.safetensors --rules torchvision-resnet --seed 1 --output resnet18-seed1.safetensors
echo '{"like": "resnet18.safetensors", "rules": "torchvision-resnet", "variables": {"zero_init_residual": true}}' > resnet18-zero.json
run --spec resnet18-zero.json --output resnet18-zero.safetensors
run --spec "$examples/mlp-lstm.json" --output model.safetensors
run --spec "$examples/mlp-lstm.json" --shard 1/4 --output model.1-of-4.safetensors
run --spec "$examples/mlp-lstm.json" --shard 0/2 --shard-dim 1 --output model.0-of-2.safetensors
echo '{"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": 1000, "n_positions": 64, "n_embd": 64, "n_layer": 2, "n_head": 4, "dtype": "float32"}' > gpt2.json
run --config gpt2.json --max-shard-size 200KB --output gpt2
run --config gpt2.json --seed 2 --output gpt2.safetensors
echo '{"architectures": ["BertForMaskedLM"], "model_type": "bert", "vocab_size": 1000, "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128, "max_position_embeddings": 64, "pad_token_id": 3}' > bert.json
run --config bert.json --max-shard-size 300KB --output bert
echo '{"architectures": ["BertModel"], "model_type": "bert", "vocab_size": 500, "hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 64, "max_position_embeddings": 32, "dtype": "float16"}' > bert-model.json
run --config bert-model.json --output bert-model.safetensors

# Single tensors, every kind of scheme path the writer takes.
run kaiming-normal --nonlinearity relu --shape 256,128 --seed 42 --output kaiming.npy
run truncated-normal --std 0.02 --dtype f16 --shape 768,64 --output trunc.npy
run orthogonal --shape 64,32 --seed 3 --output orthogonal.npy
run orthogonal --shape 96,32 --blocks 3 --shard 1/3 --output orthogonal-block.safetensors
run sparse --sparsity 0.5 --shape 40,30 --seed 9 --output sparse.npy
run xavier-uniform --shape 300,64 --shard 1/4 --seed 7 --stream 2 --output xavier.1-of-4.npy
run normal --std 0.5 --dtype bf16 --shape 33,17 --output normal.safetensors
run dirac --groups 2 --shape 4,3,3,3 --output dirac.npy
run he-uniform --shape 3,3,16,32 --layout keras --output conv.npy
run uniform-fan-in --fan-in 784 --shape 256 --output bias.npy

find . -type f ! -name '*.json' -o -type f -path './*/*.json' | sort | xargs sha256sum
