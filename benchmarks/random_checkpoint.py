"""Fill a folder holding a model's config and tokenizer with randomly initialised weights.

For throughput checks on a machine that cannot receive the real weights (the GPU machine
takes at most 64 MiB of files): the architecture, tokenizer and sizes are the real ones,
so speed is representative; the outputs are not.

Usage: python benchmarks/random_checkpoint.py DIR [--kind causal-lm|encoder]
"""

from __future__ import annotations

import argparse
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--kind", choices=("causal-lm", "encoder"), default="causal-lm")
    args = parser.parse_args()
    import torch
    from transformers import AutoConfig, AutoModel, AutoModelForCausalLM

    path = Path(args.path)
    config = AutoConfig.from_pretrained(path)
    cls = AutoModelForCausalLM if args.kind == "causal-lm" else AutoModel
    torch.manual_seed(0)
    model = cls.from_config(config)
    model.save_pretrained(path)
    print(f"random {type(model).__name__} ({model.num_parameters() / 1e6:.1f} M params) -> {path}")


if __name__ == "__main__":
    main()
