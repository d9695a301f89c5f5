"""Load and validate the training job file; unknown keys and wrong types are ConfigErrors naming the key."""

import json
import os
from dataclasses import dataclass, field
from typing import Any

from .events import ConfigError

METHODS = ("lora", "qlora", "full")
SCHEDULERS = ("cosine", "linear", "constant")
CHECKPOINT_RULES = ("last", "best_valid_loss")
DEVICES = ("auto", "cpu", "cuda")
KD_DIRECTIONS = ("forward", "reverse")
LOSS_TYPES = ("sft", "kd", "topk_kd", "on_policy")
# on_policy: the teacher loaded beside the student, or served (vLLM; its URL and key come in the environment).
ON_POLICY_TEACHERS = ("local", "served")
# Adapters train a few new weights from zero and take a large step; full fine-tuning moves pretrained weights.
DEFAULT_LEARNING_RATES = {"lora": 2e-4, "qlora": 2e-4, "full": 1e-5}
# A kernels-hub id ("kernels-community/flash-attn3") is also accepted; it has a slash.
ATTENTION = ("auto", "sdpa", "eager", "flash_attention_2", "flash_attention_3")


@dataclass
class LoraSettings:
    r: int = 16
    alpha: int = 16
    dropout: float = 0.05
    target_modules: str | list[str] = "all-linear"


@dataclass
class Hyperparameters:
    epochs: float = 3
    batch_size: int = 8
    gradient_accumulation_steps: int = 1
    learning_rate: float | None = None  # by method: see DEFAULT_LEARNING_RATES
    lr_scheduler: str = "cosine"
    warmup_ratio: float = 0.0
    weight_decay: float = 0.0
    max_grad_norm: float = 1.0
    max_length: int = 1024
    packing: bool = True
    seed: int = 42
    eval_steps: int | None = None
    early_stopping_patience: int | None = None
    save_total_limit: int | None = None


@dataclass
class LossSettings:
    type: str = "sft"
    teacher_model: str | None = None
    temperature: float | None = None  # by type: 2 for kd/topk_kd (Hinton et al.), 1 for on_policy (GKD)
    alpha: float = 0.5
    direction: str = "forward"
    teacher_4bit: bool = False
    # topk_kd: stored teacher log-probs (generate/logprobs.jsonl), how many per token to use, and the teacher's
    # tokenizer (checked against the student's by vocabulary content).
    logprobs_file: str | None = None
    top_k: int | None = None  # topk_kd: 20; on_policy with a served teacher: 1 (beta > 0) or 20 (beta 0)
    teacher_tokenizer: str | None = None
    # on_policy: the generalized JSD coefficient (0 forward KL ... 1 reverse KL), the student's sample length and
    # where the teacher runs; `temperature` is the sampling and loss temperature there (default 1). beta None: 1
    # (reverse KL) with a local teacher; 0 with a served one, whose beta > 0 path sees only the sampled token's
    # log-prob (TRL's top-1 server loss), which pulled a tiny student far less than a top-k forward KL (README).
    beta: float | None = None
    max_new_tokens: int = 64
    teacher: str = "local"


@dataclass
class Job:
    base_model: str
    train_file: str
    output_dir: str
    validation_file: str | None = None
    method: str = "lora"
    lora: LoraSettings = field(default_factory=LoraSettings)
    hyperparameters: Hyperparameters = field(default_factory=Hyperparameters)
    checkpoint: str = "last"
    merge: bool = False
    trust_remote_code: bool = False
    device: str = "auto"
    loss: LossSettings = field(default_factory=LossSettings)
    # What serving puts at the start of every answer (continue_final_message); checked against the template.
    assistant_prefix: str = ""
    # auto: flash_attention_2 when CUDA and flash-attn are there, else sdpa.
    attn_implementation: str = "auto"
    liger_kernel: bool = False
    # Continue from the newest checkpoint in output_dir/checkpoints when it was written by this same job.
    resume: bool = True


# Expected type(s) per key; bool is checked before int because bool is a subclass of int.
_TOP_LEVEL = {
    "base_model": (str,),
    "train_file": (str,),
    "validation_file": (str, type(None)),
    "output_dir": (str,),
    "method": (str,),
    "lora": (dict,),
    "hyperparameters": (dict,),
    "checkpoint": (str,),
    "merge": (bool,),
    "trust_remote_code": (bool,),
    "device": (str,),
    "loss": (dict,),
    "assistant_prefix": (str,),
    "attn_implementation": (str,),
    "liger_kernel": (bool,),
    "resume": (bool,),
}
_LORA = {"r": (int,), "alpha": (int, float), "dropout": (int, float), "target_modules": (str, list)}
_HYPERPARAMETERS = {
    "epochs": (int, float),
    "batch_size": (int,),
    "gradient_accumulation_steps": (int,),
    "learning_rate": (int, float, type(None)),
    "lr_scheduler": (str,),
    "warmup_ratio": (int, float),
    "weight_decay": (int, float),
    "max_grad_norm": (int, float),
    "max_length": (int,),
    "packing": (bool,),
    "seed": (int,),
    "eval_steps": (int, type(None)),
    "early_stopping_patience": (int, type(None)),
    "save_total_limit": (int, type(None)),
}
_LOSS = {
    "type": (str,),
    "teacher_model": (str, type(None)),
    "temperature": (int, float, type(None)),
    "alpha": (int, float),
    "direction": (str,),
    "teacher_4bit": (bool,),
    "logprobs_file": (str, type(None)),
    "top_k": (int, type(None)),
    "teacher_tokenizer": (str, type(None)),
    "beta": (int, float, type(None)),
    "max_new_tokens": (int,),
    "teacher": (str,),
}
_REQUIRED = ("base_model", "train_file", "output_dir")


def _check_section(values: dict[str, Any], schema: dict[str, tuple], prefix: str) -> dict[str, Any]:
    for key, value in values.items():
        name = f"{prefix}{key}"
        if key not in schema:
            raise ConfigError(f"unknown key '{name}' in job file")
        allowed = schema[key]
        if isinstance(value, bool) and bool not in allowed:
            raise ConfigError(f"'{name}' must be {_describe(allowed)}, got a boolean")
        if not isinstance(value, allowed):
            raise ConfigError(f"'{name}' must be {_describe(allowed)}, got {type(value).__name__}")
    return values


def _describe(types: tuple) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "a boolean", dict: "an object",
             list: "a list", type(None): "null"}
    return " or ".join(names[t] for t in types)


def _check_choice(value: str, choices: tuple, name: str) -> None:
    if value not in choices:
        raise ConfigError(f"'{name}' must be one of {', '.join(choices)}; got '{value}'")


def parse_job(raw: Any, base_dir: str = ".") -> Job:
    """Validate a decoded job object. Relative file paths are resolved against `base_dir`."""
    if not isinstance(raw, dict):
        raise ConfigError("job file must contain a JSON object")
    _check_section(raw, _TOP_LEVEL, "")
    for key in _REQUIRED:
        if key not in raw or not raw[key]:
            raise ConfigError(f"missing required key '{key}'")

    lora = LoraSettings(**_check_section(raw.get("lora", {}), _LORA, "lora."))
    hyper = Hyperparameters(**_check_section(raw.get("hyperparameters", {}), _HYPERPARAMETERS, "hyperparameters."))
    loss = LossSettings(**_check_section(raw.get("loss", {}), _LOSS, "loss."))
    top = {key: value for key, value in raw.items() if key not in ("lora", "hyperparameters", "loss")}
    job = Job(**top, lora=lora, hyperparameters=hyper, loss=loss)

    _check_choice(job.method, METHODS, "method")
    _check_choice(job.checkpoint, CHECKPOINT_RULES, "checkpoint")
    _check_choice(job.device, DEVICES, "device")
    _check_choice(hyper.lr_scheduler, SCHEDULERS, "hyperparameters.lr_scheduler")
    _check_choice(loss.type, LOSS_TYPES, "loss.type")
    _check_choice(loss.teacher, ON_POLICY_TEACHERS, "loss.teacher")
    _check_choice(loss.direction, KD_DIRECTIONS, "loss.direction")
    if job.attn_implementation not in ATTENTION and "/" not in job.attn_implementation:
        raise ConfigError(f"'attn_implementation' must be one of {', '.join(ATTENTION)} or a kernels-hub id "
                          f"(org/name); got '{job.attn_implementation}'")
    if hyper.learning_rate is None:
        hyper.learning_rate = DEFAULT_LEARNING_RATES[job.method]
    if loss.temperature is None:
        loss.temperature = 1.0 if loss.type == "on_policy" else 2.0
    if loss.beta is None:
        loss.beta = 0.0 if loss.type == "on_policy" and loss.teacher == "served" else 1.0
    if loss.top_k is None:
        loss.top_k = 1 if loss.type == "on_policy" and loss.teacher == "served" and loss.beta > 0 else 20
    _check_values(job)

    job.train_file = _resolve(job.train_file, base_dir)
    job.validation_file = _resolve(job.validation_file, base_dir) if job.validation_file else None
    job.output_dir = _resolve(job.output_dir, base_dir)
    job.base_model = _resolve_model(job.base_model, base_dir)
    if job.loss.teacher_model:
        job.loss.teacher_model = _resolve_model(job.loss.teacher_model, base_dir)
    if job.loss.logprobs_file:
        job.loss.logprobs_file = _resolve(job.loss.logprobs_file, base_dir)
    if job.loss.teacher_tokenizer:
        job.loss.teacher_tokenizer = _resolve_model(job.loss.teacher_tokenizer, base_dir)
    return job


def _check_values(job: Job) -> None:
    hyper, lora, loss = job.hyperparameters, job.lora, job.loss
    positive = {
        "hyperparameters.epochs": hyper.epochs,
        "hyperparameters.batch_size": hyper.batch_size,
        "hyperparameters.gradient_accumulation_steps": hyper.gradient_accumulation_steps,
        "hyperparameters.learning_rate": hyper.learning_rate,
        "hyperparameters.max_length": hyper.max_length,
        "lora.r": lora.r,
        "lora.alpha": lora.alpha,
        "loss.temperature": loss.temperature,
    }
    for name, value in positive.items():
        if value <= 0:
            raise ConfigError(f"'{name}' must be positive; got {value}")
    if not 0 <= hyper.warmup_ratio < 1:
        raise ConfigError("'hyperparameters.warmup_ratio' must be in [0, 1)")
    if not 0 <= lora.dropout < 1:
        raise ConfigError("'lora.dropout' must be in [0, 1)")
    if not 0 <= loss.alpha <= 1:
        raise ConfigError("'loss.alpha' must be in [0, 1]")
    if hyper.weight_decay < 0 or hyper.max_grad_norm < 0:
        raise ConfigError("'hyperparameters.weight_decay' and 'max_grad_norm' must not be negative")
    if hyper.save_total_limit is not None and hyper.save_total_limit <= 0:
        raise ConfigError("'hyperparameters.save_total_limit' must be positive or null")
    if hyper.eval_steps is not None and hyper.eval_steps <= 0:
        raise ConfigError("'hyperparameters.eval_steps' must be positive or null")
    if hyper.early_stopping_patience is not None and hyper.early_stopping_patience <= 0:
        raise ConfigError("'hyperparameters.early_stopping_patience' must be positive or null")
    if isinstance(lora.target_modules, list) and not all(isinstance(m, str) and m for m in lora.target_modules):
        raise ConfigError("'lora.target_modules' must be \"all-linear\" or a list of module names")
    if isinstance(lora.target_modules, str) and lora.target_modules != "all-linear":
        raise ConfigError("'lora.target_modules' must be \"all-linear\" or a list of module names")
    if not job.validation_file:
        if job.checkpoint == "best_valid_loss":
            raise ConfigError("'checkpoint': 'best_valid_loss' needs a 'validation_file'")
        if hyper.early_stopping_patience is not None:
            raise ConfigError("'hyperparameters.early_stopping_patience' needs a 'validation_file'")
    if loss.type in ("kd", "on_policy") and not loss.teacher_model:
        raise ConfigError(f"'loss.teacher_model' is required when 'loss.type' is '{loss.type}'")
    if loss.type == "sft" and loss.teacher_model:
        raise ConfigError("'loss.teacher_model' is only used when 'loss.type' is 'kd' or 'on_policy'")
    if not 0 <= loss.beta <= 1:
        raise ConfigError(f"'loss.beta' must be in [0, 1] (0 forward KL, 1 reverse KL); got {loss.beta}")
    if loss.max_new_tokens <= 0:
        raise ConfigError(f"'loss.max_new_tokens' must be positive; got {loss.max_new_tokens}")
    if loss.type == "topk_kd" and not (loss.logprobs_file and loss.teacher_tokenizer):
        raise ConfigError("'loss.logprobs_file' and 'loss.teacher_tokenizer' are required when 'loss.type' is 'topk_kd'")
    if loss.type == "on_policy" and loss.teacher == "served" and loss.beta > 0 and loss.top_k != 1:
        raise ConfigError("'loss.top_k' must be 1 with a served teacher and 'loss.beta' > 0: the server scores the "
                          "student's sampled token and its top-1 (TRL's sparse server loss); use beta 0 for a top-k "
                          "forward KL")
    if loss.type != "topk_kd" and (loss.logprobs_file or loss.teacher_tokenizer):
        raise ConfigError("'loss.logprobs_file' and 'loss.teacher_tokenizer' are only used when 'loss.type' is 'topk_kd'")
    if not 1 <= loss.top_k <= 20:
        raise ConfigError(f"'loss.top_k' must be in [1, 20]; got {loss.top_k}")
    if job.merge and job.method == "full":
        raise ConfigError("'merge' applies to adapters; a 'full' run already saves a complete model")


def _resolve(path: str, base_dir: str) -> str:
    return path if os.path.isabs(path) else os.path.normpath(os.path.join(base_dir, path))


def _resolve_model(name_or_path: str, base_dir: str) -> str:
    # An HF id ("org/name") stays as is unless a local directory of that name exists.
    candidate = _resolve(name_or_path, base_dir)
    return candidate if os.path.isdir(candidate) else name_or_path


def load_job(path: str) -> Job:
    try:
        with open(path, encoding="utf-8") as handle:
            raw = json.load(handle)
    except FileNotFoundError as error:
        raise ConfigError(f"job file not found: {path}") from error
    except json.JSONDecodeError as error:
        raise ConfigError(f"job file is not valid JSON: {error}") from error
    # Relative paths are resolved against the current directory, as the caller wrote them.
    return parse_job(raw, base_dir=os.getcwd())
