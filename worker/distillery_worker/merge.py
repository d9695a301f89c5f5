"""`merge` command: fold a LoRA adapter into its base model and save a standalone safetensors model."""

import os

import torch

from .events import ModelLoadError
from .modeling import load_causal_lm, load_tokenizer


def merge_adapter(base: str, adapter_dir: str, out_dir: str, trust_remote_code: bool = False,
                  dtype: torch.dtype = torch.float32) -> str:
    from peft import PeftModel

    if not os.path.isfile(os.path.join(adapter_dir, "adapter_config.json")):
        raise ModelLoadError(f"no adapter_config.json in '{adapter_dir}'")
    # The base is loaded unquantized: merging into 4-bit weights (QLoRA) would round the merged result.
    model = load_causal_lm(base, dtype, trust_remote_code)
    try:
        model = PeftModel.from_pretrained(model, adapter_dir)
    except Exception as error:  # noqa: BLE001
        raise ModelLoadError(f"cannot load adapter '{adapter_dir}': {error}") from error
    merged = model.merge_and_unload()
    os.makedirs(out_dir, exist_ok=True)
    merged.save_pretrained(out_dir)
    # The adapter directory carries the tokenizer used for training when the worker wrote it.
    tokenizer_source = adapter_dir if os.path.isfile(os.path.join(adapter_dir, "tokenizer_config.json")) else base
    load_tokenizer(tokenizer_source, trust_remote_code).save_pretrained(out_dir)
    return out_dir
