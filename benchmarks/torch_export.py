#!/usr/bin/env python
"""A real PyTorch export for the weights-heavy rows: a small GPT-style language model, ~240 MB of fp32.

    python benchmarks/torch_export.py OUT.onnx [VOCAB]

Run in its own process (``workloads.make_export`` calls it) so the benchmark never imports torch.
The model is what ``torch.onnx.export(..., dynamo=True)`` makes of a decoder: a 32000 x 768 token
embedding, position embedding, two pre-norm attention + MLP blocks and an untied LM head, with the
exporter's metadata (node namespaces, stack traces, ``pkg.torch.*`` props) and its own initializer
names.  Weights come from a fixed seed; all of them stay inside the ``.onnx`` (no external data).
A smaller ``VOCAB`` (12000) gives about half the size, for checking that time grows linearly.
"""

from __future__ import annotations

import sys

import torch
import torch.nn.functional as F
from torch import nn

VOCAB, WIDTH, LAYERS, HEADS, FFN, CONTEXT = 32000, 768, 2, 12, 1536, 1024


class Block(nn.Module):
    """Pre-norm causal self-attention and a GELU MLP, each with a residual connection."""

    def __init__(self) -> None:
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(WIDTH), nn.LayerNorm(WIDTH)
        self.qkv, self.proj = nn.Linear(WIDTH, 3 * WIDTH), nn.Linear(WIDTH, WIDTH)
        self.up, self.down = nn.Linear(WIDTH, FFN), nn.Linear(FFN, WIDTH)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        q, k, v = (
            z.view(b, t, HEADS, d // HEADS).transpose(1, 2) for z in self.qkv(self.ln1(x)).split(d, dim=-1)
        )
        attended = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.proj(attended.transpose(1, 2).reshape(b, t, d))
        return x + self.down(F.gelu(self.up(self.ln2(x))))


class LanguageModel(nn.Module):
    def __init__(self, vocab: int) -> None:
        super().__init__()
        self.embed, self.pos = nn.Embedding(vocab, WIDTH), nn.Embedding(CONTEXT, WIDTH)
        self.blocks = nn.ModuleList(Block() for _ in range(LAYERS))
        self.norm = nn.LayerNorm(WIDTH)
        self.head = nn.Linear(WIDTH, vocab, bias=False)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.embed(ids) + self.pos(torch.arange(ids.shape[1]).unsqueeze(0))
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x))


def export(path: str, vocab: int = VOCAB) -> None:
    torch.manual_seed(20240501)
    model = LanguageModel(vocab).eval()
    ids = torch.zeros(1, 16, dtype=torch.long)
    dynamic = {"ids": {0: torch.export.Dim("batch"), 1: torch.export.Dim("sequence", max=CONTEXT)}}
    torch.onnx.export(
        model,
        (ids,),
        path,
        dynamo=True,
        input_names=["input_ids"],
        output_names=["logits"],
        dynamic_shapes=dynamic,
        external_data=False,
    )


if __name__ == "__main__":
    export(sys.argv[1], *map(int, sys.argv[2:3]))
