"""Where and how fast the student runs: device placement per rank, 4-bit loading, attention kernel, packing path.

Each choice is logged (stderr) and reported in the `start` event, so a slow path is never silent.
"""

import importlib.util
import os
from dataclasses import dataclass

import torch

from .events import ConfigError, log
from .jobfile import Job

_VARLEN_ATTENTION = ("flash_attention_2", "flash_attention_3")


@dataclass
class Acceleration:
    attn_implementation: str
    packing: str  # "padding_free" (varlen kernel), "block_mask" (sdpa/eager over a packed batch) or "padding"
    quantized: bool
    device_map: dict | str | None
    liger_kernel: bool
    sharded: bool = False  # FSDP or DeepSpeed ZeRO-3 place (and shard) the weights themselves

    def describe(self) -> dict:
        return {"attn_implementation": self.attn_implementation, "packing": self.packing,
                "quantized": self.quantized, "liger_kernel": self.liger_kernel}


def local_rank() -> int:
    return int(os.environ.get("LOCAL_RANK", "0"))


def world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def sharded_launch() -> bool:
    """Set by `accelerate launch` for FSDP / DeepSpeed configs."""
    return any(os.environ.get(name, "").lower() == "true" for name in ("ACCELERATE_USE_FSDP", "ACCELERATE_USE_DEEPSPEED"))


def choose_attention(requested: str, device: str) -> str:
    if requested != "auto":
        if requested == "flash_attention_2" and importlib.util.find_spec("flash_attn") is None:
            raise ConfigError("attn_implementation 'flash_attention_2' needs the 'flash-attn' package (CUDA); "
                              "install it in the worker environment or use 'sdpa'")
        if requested.startswith("flash_attention") and device != "cuda":
            raise ConfigError(f"attn_implementation '{requested}' needs a CUDA device")
        return requested
    if device == "cuda" and importlib.util.find_spec("flash_attn") is not None:
        return "flash_attention_2"
    return "sdpa"


def supports_varlen(attention: str) -> bool:
    # Hub kernels ("kernels-community/flash-attn3", "kernels-community/vllm-flash-attn3") are flash kernels too.
    return attention in _VARLEN_ATTENTION or ("/" in attention and "flash" in attention)


def choose_packing(packing: bool, requested_attention: str, attention: str) -> str:
    """Pack only where packed rows cost nothing: a varlen kernel reads the row boundaries from position ids.

    Without one, SDPA would build a dense block mask over the whole packed batch (the slow path): padding is used
    unless the job asked for that attention explicitly (then it packs with the block mask, as asked).
    """
    if not packing:
        return "padding"
    if supports_varlen(attention):
        return "padding_free"
    return "block_mask" if requested_attention != "auto" else "padding"


def plan(job: Job, device: str) -> Acceleration:
    attention = choose_attention(job.attn_implementation, device)
    packing = choose_packing(job.hyperparameters.packing, job.attn_implementation, attention)
    if job.liger_kernel:
        if device != "cuda":
            raise ConfigError("liger_kernel needs a CUDA device (its kernels are Triton)")
        if importlib.util.find_spec("liger_kernel") is None:
            raise ConfigError("liger_kernel needs the 'liger-kernel' package in the worker environment")
    quantized = job.method == "qlora"
    sharded = sharded_launch()
    device_map = None
    if quantized and not sharded:
        # A 4-bit model is placed when loaded: on this rank's GPU under a multi-process launch, not cuda:0 in all.
        device_map = {"": local_rank()} if device == "cuda" else "cpu"
    choice = Acceleration(attention, packing, quantized, device_map, job.liger_kernel, sharded)
    reasons = {"padding_free": "packed rows, varlen attention (position ids)",
               "block_mask": f"packed rows with a block mask ({attention}: slower than a varlen kernel)",
               "padding": "padded batches" + (" (packing needs a varlen attention kernel such as flash_attention_2)"
                                               if job.hyperparameters.packing else "")}
    log(f"attention: {attention}; batches: {reasons[packing]}" + ("; 4-bit nf4 base" if quantized else ""))
    return choice


# Below this many student parameters a CPU matmul is too small to split between threads: each of the thousands of
# small ops in a step (on-policy sampling runs ~25 forwards a step) would only wait at a thread barrier, and on a
# shared, oversubscribed CPU every barrier waits for both threads to be scheduled. Measured on the offline-methods
# example (2x64 student, 4x128 teacher) beside 3 busy processes on 2 cores: one on-policy step 1.42 s with 2 threads,
# 0.42 s with 1; SFT 0.45 -> 0.19 s (bench/on_policy_step.py).
SINGLE_THREAD_PARAMETERS = 20_000_000


def choose_cpu_threads(device: str, parameters: int) -> int | None:
    """Intra-op threads for a CPU run: 1 for a tiny model, else torch's default (None). OMP_NUM_THREADS wins."""
    if device != "cpu" or os.environ.get("OMP_NUM_THREADS"):
        return None
    return 1 if parameters < SINGLE_THREAD_PARAMETERS else None


def apply_cpu_threads(device: str, model) -> None:
    threads = choose_cpu_threads(device, sum(parameter.numel() for parameter in model.parameters()))
    if threads is not None:
        torch.set_num_threads(threads)
        log(f"cpu threads: {threads} (a model under {SINGLE_THREAD_PARAMETERS:,} parameters; OMP_NUM_THREADS overrides)")
    elif device == "cpu":
        log(f"cpu threads: {torch.get_num_threads()}")


def quantization_config(device: str, sharded: bool = False):
    try:
        import bitsandbytes  # noqa: F401
    except ImportError as error:
        raise ConfigError("method 'qlora' needs the 'bitsandbytes' package in the worker environment") from error
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        # bf16 compute on GPUs; bitsandbytes' CPU backend computes in fp32.
        bnb_4bit_compute_dtype=torch.bfloat16 if device == "cuda" else torch.float32,
        # FSDP / ZeRO-3 shard flat tensors of one dtype: 4-bit weights are stored in bf16-sized blocks for them.
        **({"bnb_4bit_quant_storage": torch.bfloat16} if sharded else {}),
    )
