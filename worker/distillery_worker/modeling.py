"""Device choice and loading of tokenizers and causal LMs (safetensors only, remote code only when asked)."""

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from .events import ConfigError, ModelLoadError


def resolve_device(requested: str) -> str:
    if requested == "cuda" and not torch.cuda.is_available():
        raise ConfigError("device 'cuda' was requested but CUDA is not available")
    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return requested


def load_tokenizer(name_or_path: str, trust_remote_code: bool = False):
    try:
        tokenizer = AutoTokenizer.from_pretrained(name_or_path, trust_remote_code=trust_remote_code)
    except Exception as error:  # noqa: BLE001 - any failure here means the tokenizer cannot be used
        raise ModelLoadError(f"cannot load tokenizer from '{name_or_path}': {error}") from error
    if not tokenizer.chat_template:
        raise ModelLoadError(f"tokenizer of '{name_or_path}' has no chat template")
    if tokenizer.pad_token is None:
        # Padding is only used for batching; labels on padding are -100, so reusing EOS is safe.
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_causal_lm(name_or_path: str, dtype: torch.dtype, trust_remote_code: bool = False, **kwargs):
    try:
        return AutoModelForCausalLM.from_pretrained(
            name_or_path,
            dtype=dtype,
            use_safetensors=True,
            trust_remote_code=trust_remote_code,
            **kwargs,
        )
    except Exception as error:  # noqa: BLE001 - reported as a typed error to the caller
        raise ModelLoadError(f"cannot load model '{name_or_path}': {error}") from error
