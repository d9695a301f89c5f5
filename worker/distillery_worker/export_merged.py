"""`python -m distillery_worker.export_merged`: the trained student as one standalone model folder in the
base model's dtype (bf16 stays bf16), safetensors only, with its tokenizer and chat template.

Fails when the tokenizer has no chat template or no end-of-sequence token: an exported model without them
answers with the wrong prompt format or never stops.
"""
import argparse
import json
import os
import shutil

import torch

from .merge import merge_adapter
from .modeling import load_causal_lm, load_tokenizer

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def base_dtype(model_dir: str) -> str:
    with open(os.path.join(model_dir, "config.json"), encoding="utf-8") as handle:
        config = json.load(handle)
    name = str(config.get("dtype") or config.get("torch_dtype") or "float32").replace("torch.", "")
    return name if name in DTYPES else "float32"


def export_merged(base: str, adapter: str | None, out: str, dtype_of: str | None = None, tokenizer_from: str | None = None) -> dict:
    dtype_name = base_dtype(dtype_of or base)
    if os.path.exists(out):
        shutil.rmtree(out)
    if adapter:
        merge_adapter(base, adapter, out, dtype=DTYPES[dtype_name])
    else:
        model = load_causal_lm(base, DTYPES[dtype_name], False)
        os.makedirs(out, exist_ok=True)
        model.save_pretrained(out)
        # The adapter folder carries the tokenizer the student was trained with when the worker wrote it.
        has_tokenizer = tokenizer_from is not None and os.path.isfile(os.path.join(tokenizer_from, "tokenizer_config.json"))
        load_tokenizer(tokenizer_from if has_tokenizer else base, False).save_pretrained(out)
    tokenizer = load_tokenizer(out, False)
    adapter = adapter or tokenizer_from
    if not tokenizer.chat_template:
        raise SystemExit(f"export: the student's tokenizer ({adapter or base}) has no chat template; set one before exporting")
    if tokenizer.eos_token is None:
        raise SystemExit(f"export: the student's tokenizer ({adapter or base}) has no end-of-sequence token: the export would never stop")
    for name in os.listdir(out):
        if name.endswith((".bin", ".pt", ".pth")):
            os.remove(os.path.join(out, name))
    return {"dtype": dtype_name, "eos_token": tokenizer.eos_token, "files": sorted(os.listdir(out))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True, help="the base model (LoRA) or the trained model (full)")
    parser.add_argument("--adapter", help="the trained LoRA adapter")
    parser.add_argument("--dtype-of", help="the model whose dtype the export keeps (default --model)")
    parser.add_argument("--tokenizer-from", help="without --adapter: take the tokenizer (and chat template) from this folder, e.g. the adapter's, for a LoRA-only export")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    print(json.dumps(export_merged(args.model, args.adapter, args.out, args.dtype_of, args.tokenizer_from)))


if __name__ == "__main__":
    main()
