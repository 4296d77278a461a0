"""Builds a fixture model in PyTorch from the factory's weights and exports it with torch.onnx.export.

Run by the TypeScript driver (src/index.ts) with Debian's /usr/bin/python3 (apt-get install python3-torch):

    python3 torch_export.py JOB.json

JOB.json:
    family       "bert" | "mobilebert"
    config       the fixture config (camelCase keys, as the factory's manifest records it)
    mask_bias    the additive attention-mask bias, (1 - mask) * mask_bias
    weights      {"dir": folder of <state_dict name>.npy float32 files, "names": [...]}
    onnx         [{"opset": 14, "path": "..."}, ...]  (may be empty)
    forward      {"inputs": folder with input_ids/attention_mask/token_type_ids.npy (int64),
                  "outputs": folder to write last_hidden_state/pooler_output/logits.npy (float64)} or null

The modules follow Hugging Face's modeling_bert.py and modeling_mobilebert.py (BertModel, MobileBertModel)
with the fixtures' classifier head on the pooled output: dense(2h) -> relu -> dense(labels). They are
written here, not imported from transformers (not installed), and load the factory's weights under the
same state_dict names, so the parameters are bit-identical. Prints one JSON line: torch version, files.
"""

import json
import math
import os
import sys

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

TORCH_LAYER_NORM_EPS = 1e-5


class NoNorm(nn.Module):
    """MobileBERT's NoNorm: x * weight + bias."""

    def __init__(self, size):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.bias = nn.Parameter(torch.zeros(size))

    def forward(self, x):
        return x * self.weight + self.bias


class SelfAttention(nn.Module):
    def __init__(self, width, heads, value_in):
        super().__init__()
        self.heads = heads
        self.head_size = width // heads
        self.query = nn.Linear(width, width)
        self.key = nn.Linear(width, width)
        self.value = nn.Linear(value_in, width)

    def split(self, x):
        b, s, _ = x.shape
        return x.view(b, s, self.heads, self.head_size).permute(0, 2, 1, 3)

    def forward(self, q, k, v, mask_bias):
        q, k, v = self.split(self.query(q)), self.split(self.key(k)), self.split(self.value(v))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_size) + mask_bias
        context = torch.matmul(torch.softmax(scores, dim=-1), v).permute(0, 2, 1, 3).contiguous()
        b, s, _, _ = context.shape
        return context.view(b, s, self.heads * self.head_size)


class Head(nn.Module):
    """Pooler (tanh dense on position 0, or position 0 itself) and the fixtures' classifier."""

    def __init__(self, hidden, labels, pooler):
        super().__init__()
        if pooler:
            self.pooler = nn.Module()
            self.pooler.dense = nn.Linear(hidden, hidden)
        else:
            self.pooler = None
        self.classifier = nn.Module()
        self.classifier.dense = nn.Linear(hidden, 2 * hidden)
        self.classifier.out_proj = nn.Linear(2 * hidden, labels)

    def forward(self, x):
        first = x[:, 0]
        pooled = first if self.pooler is None else torch.tanh(self.pooler.dense(first))
        return pooled, self.classifier.out_proj(torch.relu(self.classifier.dense(pooled)))


def encoder_layer(width, heads, value_in, intermediate, norm, output_norm):
    """What every BERT-family layer has: attention.self, attention.output.{dense,LayerNorm},
    intermediate.dense and output.{dense,LayerNorm} (the last feed-forward), under modeling_bert.py's names."""
    layer = nn.Module()
    layer.attention = nn.Module()
    layer.attention.self = SelfAttention(width, heads, value_in)
    layer.attention.output = nn.Module()
    layer.attention.output.dense = nn.Linear(width, width)
    layer.attention.output.LayerNorm = norm(width)
    layer.intermediate = nn.Module()
    layer.intermediate.dense = nn.Linear(width, intermediate)
    layer.output = nn.Module()
    layer.output.dense = nn.Linear(intermediate, width)
    layer.output.LayerNorm = output_norm(width)
    return layer


def mask_bias_of(attention_mask, dtype, mask_bias):
    return (1.0 - attention_mask[:, None, None, :].to(dtype)) * mask_bias


class Bert(nn.Module):
    def __init__(self, c, mask_bias):
        super().__init__()
        h = c["hiddenSize"]
        eps = c["layerNormEps"]
        self.mask_bias = mask_bias
        self.embeddings = nn.Module()
        self.embeddings.word_embeddings = nn.Embedding(c["vocabSize"], h)
        self.embeddings.position_embeddings = nn.Embedding(c["maxPositions"], h)
        self.embeddings.token_type_embeddings = nn.Embedding(c["typeVocabSize"], h)
        self.embeddings.LayerNorm = nn.LayerNorm(h, eps=eps)
        self.register_buffer("position_ids", torch.arange(c["maxPositions"]).expand((1, -1)), persistent=False)
        self.encoder = nn.Module()
        self.encoder.layer = nn.ModuleList()
        def layer_norm(size):
            return nn.LayerNorm(size, eps=eps)

        for _ in range(c["numLayers"]):
            self.encoder.layer.append(
                encoder_layer(h, c["numHeads"], h, c["intermediateSize"], layer_norm, layer_norm)
            )
        self.head = Head(h, c["numLabels"], True)

    def forward(self, input_ids, attention_mask, token_type_ids):
        e = self.embeddings
        positions = self.position_ids[:, : input_ids.size(1)]
        x = e.word_embeddings(input_ids) + e.position_embeddings(positions) + e.token_type_embeddings(token_type_ids)
        x = e.LayerNorm(x)
        bias = mask_bias_of(attention_mask, x.dtype, self.mask_bias)
        for layer in self.encoder.layer:
            context = layer.attention.self(x, x, x, bias)
            x = layer.attention.output.LayerNorm(layer.attention.output.dense(context) + x)
            inter = F.gelu(layer.intermediate.dense(x))  # exact (erf) GELU, as BERT's
            x = layer.output.LayerNorm(layer.output.dense(inter) + x)
        pooled, logits = self.head(x)
        return x, pooled, logits


class MobileBert(nn.Module):
    def __init__(self, c, mask_bias):
        super().__init__()
        self.c = c
        self.mask_bias = mask_bias
        h = c["hiddenSize"]
        inner = c["intraBottleneckSize"] if c["useBottleneck"] else h
        eps = c["layerNormEps"]
        no_norm = c["normalizationType"] == "no_norm"

        def norm(size, layer_eps=eps):
            return NoNorm(size) if no_norm else nn.LayerNorm(size, eps=layer_eps)

        def projection(n_in, n_out):
            m = nn.Module()
            m.dense = nn.Linear(n_in, n_out)
            m.LayerNorm = norm(n_out)
            return m

        self.act = torch.relu if c["hiddenAct"] == "relu" else F.gelu
        e = c["embeddingSize"]
        self.embeddings = nn.Module()
        self.embeddings.word_embeddings = nn.Embedding(c["vocabSize"], e, padding_idx=c["padTokenId"])
        self.embeddings.position_embeddings = nn.Embedding(c["maxPositions"], h)
        self.embeddings.token_type_embeddings = nn.Embedding(c["typeVocabSize"], h)
        self.embeddings.embedding_transformation = nn.Linear((3 if c["trigramInput"] else 1) * e, h)
        # HF builds this norm (and MobileBertOutput's) without config.layer_norm_eps: torch's default 1e-5.
        self.embeddings.LayerNorm = norm(h, TORCH_LAYER_NORM_EPS)
        self.register_buffer("position_ids", torch.arange(c["maxPositions"]).expand((1, -1)), persistent=False)
        self.encoder = nn.Module()
        self.encoder.layer = nn.ModuleList()
        for _ in range(c["numLayers"]):
            layer = encoder_layer(
                inner,
                c["numHeads"],
                inner if c["useBottleneckAttention"] else h,
                c["intermediateSize"],
                norm,
                lambda size: norm(size, TORCH_LAYER_NORM_EPS),
            )
            if c["useBottleneck"]:
                layer.output.bottleneck = projection(inner, h)
                layer.bottleneck = nn.Module()
                layer.bottleneck.input = projection(h, inner)
                if c["keyQuerySharedBottleneck"]:
                    layer.bottleneck.attention = projection(h, inner)
            layer.ffn = nn.ModuleList()
            for _ in range(c["numFeedforwardNetworks"] - 1):
                f = nn.Module()
                f.intermediate = nn.Module()
                f.intermediate.dense = nn.Linear(inner, c["intermediateSize"])
                f.output = nn.Module()
                f.output.dense = nn.Linear(c["intermediateSize"], inner)
                f.output.LayerNorm = norm(inner)
                layer.ffn.append(f)
            self.encoder.layer.append(layer)
        self.head = Head(h, c["numLabels"], c["classifierActivation"])

    def forward(self, input_ids, attention_mask, token_type_ids):
        c = self.c
        e = self.embeddings
        x = e.word_embeddings(input_ids)
        if c["trigramInput"]:
            x = torch.cat(
                [F.pad(x[:, 1:], [0, 0, 0, 1, 0, 0], value=0.0), x, F.pad(x[:, :-1], [0, 0, 1, 0, 0, 0], value=0.0)],
                dim=2,
            )
        if c["trigramInput"] or c["embeddingSize"] != c["hiddenSize"]:
            x = e.embedding_transformation(x)
        positions = self.position_ids[:, : input_ids.size(1)]
        x = e.LayerNorm(x + e.position_embeddings(positions) + e.token_type_embeddings(token_type_ids))
        bias = mask_bias_of(attention_mask, x.dtype, self.mask_bias)
        for layer in self.encoder.layer:
            qk, v, residual = x, x, x
            if c["useBottleneck"]:
                b = layer.bottleneck
                residual = b.input.LayerNorm(b.input.dense(x))
                if c["useBottleneckAttention"]:
                    qk, v = residual, residual
                elif c["keyQuerySharedBottleneck"]:
                    qk = b.attention.LayerNorm(b.attention.dense(x))
            context = layer.attention.self(qk, qk, v, bias)
            a = layer.attention.output.LayerNorm(layer.attention.output.dense(context) + residual)
            for f in layer.ffn:
                a = f.output.LayerNorm(f.output.dense(self.act(f.intermediate.dense(a))) + a)
            out = layer.output.LayerNorm(layer.output.dense(self.act(layer.intermediate.dense(a))) + a)
            if c["useBottleneck"]:
                out = layer.output.bottleneck.LayerNorm(layer.output.bottleneck.dense(out) + x)
            x = out
        pooled, logits = self.head(x)
        return x, pooled, logits


FAMILIES = {"bert": Bert, "mobilebert": MobileBert}
INPUTS = ["input_ids", "attention_mask", "token_type_ids"]
OUTPUTS = ["last_hidden_state", "pooler_output", "logits"]


def load_weights(model, weights):
    # The head's modules sit under "head." here; the factory names them pooler.* and classifier.*.
    state = {}
    for name in weights["names"]:
        key = f"head.{name}" if name.startswith(("pooler.", "classifier.")) else name
        state[key] = torch.from_numpy(np.load(os.path.join(weights["dir"], f"{name}.npy")))
    model.load_state_dict(state, strict=True)


def main(job_path):
    with open(job_path, encoding="utf-8") as f:
        job = json.load(f)
    torch.manual_seed(0)
    model = FAMILIES[job["family"]](job["config"], float(job["mask_bias"]))
    load_weights(model, job["weights"])
    model.eval()
    written = []
    if job["onnx"]:
        example = tuple(torch.ones((2, 8), dtype=torch.int64) for _ in INPUTS)
        dynamic = {name: {0: "batch", 1: "sequence"} for name in INPUTS}
        dynamic.update({"last_hidden_state": {0: "batch", 1: "sequence"}, "pooler_output": {0: "batch"}, "logits": {0: "batch"}})
        for target in job["onnx"]:
            with torch.no_grad():
                torch.onnx.export(
                    model,
                    example,
                    target["path"],
                    input_names=INPUTS,
                    output_names=OUTPUTS,
                    dynamic_axes=dynamic,
                    opset_version=target["opset"],
                    do_constant_folding=True,
                )
            written.append(target["path"])
    if job["forward"]:
        model = model.double()
        feeds = [torch.from_numpy(np.load(os.path.join(job["forward"]["inputs"], f"{n}.npy"))) for n in INPUTS]
        with torch.no_grad():
            outputs = model(*feeds)
        for name, value in zip(OUTPUTS, outputs):
            path = os.path.join(job["forward"]["outputs"], f"{name}.npy")
            np.save(path, value.numpy().astype(np.float64))
            written.append(path)
    print(json.dumps({"torch": torch.__version__, "written": written}))


if __name__ == "__main__":
    main(sys.argv[1])
