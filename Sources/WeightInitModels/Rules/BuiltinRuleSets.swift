/// The curated rule sets: each reproduces a reference initialisation
/// exactly — the distributions and constants the cited code draws, per
/// tensor — and cites that code (read in torch 2.15, transformers 5.24,
/// torchvision 0.29). `weightinit rules NAME` prints one; copy and edit it.
///
/// The texts are rules files (``RuleSet``): data, in the format a user writes.
package enum BuiltinRuleSets {
    package static let names = all.map(\.name)

    package static func text(_ name: String) -> String? { all.first { $0.name == name }?.text }

    package static let all: [(name: String, text: String)] = [
        ("torch-defaults", torchDefaults), ("hf-llama", hfLlama), ("hf-gpt2", hfGPT2), ("hf-bert", hfBert),
        ("torchvision-resnet", torchvisionResNet),
    ]

    static let torchDefaults = #"""
        {
          "description": "PyTorch's own initialisation of its modules, by tensor name: what a freshly constructed model holds, nested (fc.weight) or a lone module's own state_dict (weight, bias_hh_l0, in_proj_weight). Embeddings are recognised by name (*embed*: embedding, embed_tokens, embeddings), so a lone nn.Embedding, whose only key is weight, is taken for a Linear: give it a scheme. An Embedding's padding_idx row, which PyTorch zeroes, cannot be seen in a name: add a part. LSTM/GRU/RNN with proj_size are not covered.",
          "source": "torch 2.15: torch/nn/modules/{batchnorm,rnn,activation,normalization,sparse,linear,conv}.py",
          "rules": [
            {"match": "*.num_batches_tracked", "dtype": "i64", "scheme": "zeros",
             "source": "batchnorm.py _NormBase.reset_running_stats: num_batches_tracked.zero_() (an int64 scalar)"},
            {"match": "*.running_mean", "scheme": "zeros", "source": "batchnorm.py _NormBase.reset_running_stats: running_mean.zero_()"},
            {"match": "*.running_var", "scheme": "ones", "source": "batchnorm.py _NormBase.reset_running_stats: running_var.fill_(1)"},
            {"regex": "(?:(.*)\\.)?(weight|bias)_(ih|hh)_l([0-9]+)(_reverse)?", "scheme": "uniform-fan-in", "fan-of": "$1.weight_hh_l$4$5",
             "source": "rnn.py RNNBase.reset_parameters: every parameter U(±1/√hidden_size); weight_hh_lk is (gates·hidden_size, hidden_size), so its fan_in is hidden_size"},
            {"match": "*.in_proj_weight", "scheme": "xavier-uniform", "source": "activation.py MultiheadAttention._reset_parameters: xavier_uniform_(in_proj_weight)"},
            {"regex": "(?:(.*)\\.)?[qkv]_proj_weight", "if-exists": "$1.out_proj.weight", "scheme": "xavier-uniform",
             "source": "activation.py MultiheadAttention._reset_parameters: xavier_uniform_ of q/k/v_proj_weight"},
            {"match": "*.in_proj_bias", "scheme": "zeros", "source": "activation.py MultiheadAttention._reset_parameters: constant_(in_proj_bias, 0.)"},
            {"match": "*.out_proj.bias", "if-exists": "$1.in_proj_bias", "scheme": "zeros",
             "source": "activation.py MultiheadAttention._reset_parameters: constant_(out_proj.bias, 0.)"},
            {"regex": "(?:(.*)\\.)?bias_[kv]", "if-exists": "$1.out_proj.weight", "scheme": "xavier-normal",
             "source": "activation.py MultiheadAttention._reset_parameters: xavier_normal_ of bias_k, bias_v"},
            {"match": "*.weight", "rank": 1, "scheme": "ones",
             "source": "normalization.py LayerNorm/GroupNorm/RMSNorm and batchnorm.py reset_parameters: ones_(weight)"},
            {"match": "*.bias", "if-exists": {"name": "$1.weight", "rank": 1}, "scheme": "zeros",
             "source": "normalization.py LayerNorm/GroupNorm and batchnorm.py reset_parameters: zeros_(bias)"},
            {"match": "*embed*.weight", "rank": 2, "scheme": "normal", "mean": 0, "std": 1,
             "source": "sparse.py Embedding.reset_parameters: normal_(weight), N(0, 1)"},
            {"match": "*.weight", "rank": [2, 3, 4, 5], "scheme": "uniform-fan-in",
             "source": "linear.py Linear and conv.py _ConvNd reset_parameters: kaiming_uniform_(weight, a=√5), which is U(±1/√fan_in)"},
            {"match": "*.bias", "scheme": "uniform-fan-in", "fan-of": "$1.weight",
             "source": "linear.py Linear and conv.py _ConvNd reset_parameters: uniform_(bias, -1/√fan_in, 1/√fan_in), fan_in of the weight"}
          ]
        }
        """#

    static let hfLlama = #"""
        {
          "description": "Hugging Face Llama: PreTrainedModel._init_weights, which LlamaPreTrainedModel uses — Linear and Embedding weights N(0, initializer_range²), biases zeros, RMSNorm weights ones, the embedding's padding_idx (pad_token_id) row zeros.",
          "source": "transformers 5.24: modeling_utils.py PreTrainedModel._init_weights; models/llama/modeling_llama.py",
          "variables": {"initializer_range": 0.02, "pad_token_id": null},
          "rules": [
            {"match": "*embed_tokens.weight", "scheme": "normal", "std": "initializer_range",
             "parts": [{"rows": ["pad_token_id", "pad_token_id + 1"], "scheme": "zeros", "when": "pad_token_id"}],
             "source": "_init_weights, nn.Embedding: normal_(weight, 0, std); zeros_(weight[padding_idx])"},
            {"match": "*norm.weight", "scheme": "ones", "source": "_init_weights, \"RMSNorm\" in the class name: ones_(weight)"},
            {"match": "*.bias", "scheme": "zeros", "source": "_init_weights, nn.Linear: zeros_(bias)"},
            {"match": "*.weight", "scheme": "normal", "std": "initializer_range", "source": "_init_weights, nn.Linear: normal_(weight, 0, std)"}
          ]
        }
        """#

    static let hfGPT2 = #"""
        {
          "description": "Hugging Face GPT-2: GPT2PreTrainedModel._init_weights — Conv1D, Linear and Embedding weights N(0, initializer_range²), biases zeros, LayerNorm ones and zeros, and the residual projections (attn.c_proj, mlp.c_proj) at initializer_range/√(2·n_layer).",
          "source": "transformers 5.24: models/gpt2/modeling_gpt2.py GPT2PreTrainedModel._init_weights; modeling_utils.py PreTrainedModel._init_weights",
          "variables": {"initializer_range": 0.02},
          "rules": [
            {"match": "*.ln_*.weight", "scheme": "ones", "source": "_init_weights, \"LayerNorm\" in the class name: ones_(weight)"},
            {"match": "*.ln_*.bias", "scheme": "zeros", "source": "_init_weights, LayerNorm: zeros_(bias)"},
            {"match": "*.c_proj.weight", "scheme": "normal", "std": "initializer_range / sqrt(2 * n_layer)",
             "source": "GPT2PreTrainedModel._init_weights, GPT2Attention and GPT2MLP: normal_(c_proj.weight, 0, initializer_range/√(2·n_layer))"},
            {"match": "*.bias", "scheme": "zeros", "source": "_init_weights, Conv1D and nn.Linear: zeros_(bias)"},
            {"match": "*.weight", "scheme": "normal", "std": "initializer_range",
             "source": "_init_weights, Conv1D, nn.Linear and nn.Embedding (wte, wpe): normal_(weight, 0, initializer_range)"}
          ]
        }
        """#

    static let hfBert = #"""
        {
          "description": "Hugging Face BERT: BertPreTrainedModel._init_weights — Linear and Embedding weights N(0, initializer_range²), biases zeros (the MLM head's too), LayerNorm ones and zeros, the word embedding's padding_idx (pad_token_id, 0 by default) row zeros.",
          "source": "transformers 5.24: models/bert/modeling_bert.py BertPreTrainedModel._init_weights; modeling_utils.py PreTrainedModel._init_weights",
          "variables": {"initializer_range": 0.02, "pad_token_id": 0},
          "rules": [
            {"match": "*.word_embeddings.weight", "scheme": "normal", "std": "initializer_range",
             "parts": [{"rows": ["pad_token_id", "pad_token_id + 1"], "scheme": "zeros", "when": "pad_token_id"}],
             "source": "_init_weights, nn.Embedding: normal_(weight, 0, std); zeros_(weight[padding_idx])"},
            {"match": "*LayerNorm.weight", "scheme": "ones", "source": "_init_weights, \"LayerNorm\" in the class name: ones_(weight)"},
            {"match": "*.bias", "scheme": "zeros",
             "source": "_init_weights, nn.Linear and LayerNorm: zeros_(bias); BertLMPredictionHead: zeros_(bias)"},
            {"match": "*.weight", "scheme": "normal", "std": "initializer_range",
             "source": "_init_weights, nn.Linear and nn.Embedding: normal_(weight, 0, std)"}
          ]
        }
        """#

    static let torchvisionResNet = #"""
        {
          "description": "torchvision ResNet (resnet18 … resnet152, ResNeXt, Wide ResNet): convolutions He-normal with fan_out and ReLU, BatchNorm weights ones and biases zeros, running statistics reset, the classifier as nn.Linear initialises itself; with zero_init_residual the last BatchNorm of every block starts at zero (bn3 in Bottleneck, bn2 in BasicBlock).",
          "source": "torchvision 0.29: torchvision/models/resnet.py ResNet.__init__; torch 2.15 nn.Linear and BatchNorm reset_parameters",
          "variables": {"zero_init_residual": false},
          "rules": [
            {"match": "*.num_batches_tracked", "dtype": "i64", "scheme": "zeros", "source": "batchnorm.py reset_running_stats"},
            {"match": "*.running_mean", "scheme": "zeros", "source": "batchnorm.py reset_running_stats"},
            {"match": "*.running_var", "scheme": "ones", "source": "batchnorm.py reset_running_stats"},
            {"match": "layer*.bn3.weight", "when": "zero_init_residual", "scheme": "zeros",
             "source": "resnet.py, zero_init_residual: constant_(m.bn3.weight, 0) in every Bottleneck"},
            {"match": "layer*.bn2.weight", "when": "zero_init_residual", "unless-exists": "layer$1.bn3.weight", "scheme": "zeros",
             "source": "resnet.py, zero_init_residual: constant_(m.bn2.weight, 0) in every BasicBlock"},
            {"match": "*.weight", "rank": 1, "scheme": "ones", "source": "resnet.py: constant_(m.weight, 1) for BatchNorm2d and GroupNorm"},
            {"match": "*.bias", "if-exists": {"name": "$1.weight", "rank": 1}, "scheme": "zeros",
             "source": "resnet.py: constant_(m.bias, 0) for BatchNorm2d and GroupNorm"},
            {"match": "*.weight", "rank": 4, "scheme": "kaiming-normal", "mode": "fan-out", "nonlinearity": "relu",
             "source": "resnet.py: kaiming_normal_(m.weight, mode=\"fan_out\", nonlinearity=\"relu\") for Conv2d"},
            {"match": "*.weight", "rank": 2, "scheme": "uniform-fan-in",
             "source": "linear.py Linear.reset_parameters (the fc head): kaiming_uniform_(a=√5), U(±1/√fan_in)"},
            {"match": "*.bias", "scheme": "uniform-fan-in", "fan-of": "$1.weight",
             "source": "linear.py Linear.reset_parameters: bias U(±1/√fan_in) of the weight"}
          ]
        }
        """#
}
