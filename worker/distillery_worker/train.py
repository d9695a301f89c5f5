"""`train` command: LoRA / QLoRA / full fine-tuning on assistant tokens with TRL's SFTTrainer.

The dataset is tokenized here (see masking.py) and handed to SFTTrainer with a ready `labels` column, so the
assistant mask works with any chat template; SFTTrainer then does packing (best-fit decreasing, padding-free
position ids), evaluation and checkpointing.
"""

import json
import math
import os
import shutil
import time

import torch
from datasets import Dataset
from transformers import TrainerCallback
from trl import SFTConfig, SFTTrainer

from .data import tokenize_file
from .events import ConfigError, TrainingError, emit, is_main_process, log
from .jobfile import Job
from .acceleration import Acceleration, apply_cpu_threads, local_rank, plan, quantization_config, world_size
from .modeling import load_causal_lm, load_tokenizer, resolve_device
from .resume import PROGRESS_FILE, prepare_checkpoints, read_progress, resume_point, write_progress

# Files of a Trainer checkpoint that are training state, not model: skipped when a checkpoint becomes the result.
_TRAINING_STATE_PREFIXES = ("optimizer", "scheduler", "rng_state", "trainer_state", "training_args", "README",
                            PROGRESS_FILE)


def library_versions() -> dict[str, str]:
    import peft
    import transformers
    import trl

    return {"torch": torch.__version__, "transformers": transformers.__version__, "trl": trl.__version__,
            "peft": peft.__version__}


def build_lora_config(job: Job):
    from peft import LoraConfig

    return LoraConfig(
        task_type="CAUSAL_LM",
        r=job.lora.r,
        lora_alpha=job.lora.alpha,
        lora_dropout=job.lora.dropout,
        target_modules=job.lora.target_modules,
    )


def load_base_model(job: Job, device: str, accel: Acceleration, model_path: str | None = None):
    kwargs = {"attn_implementation": accel.attn_implementation}
    if accel.quantized:
        kwargs["quantization_config"] = quantization_config(device, sharded=accel.sharded)
        if accel.device_map is not None:
            kwargs["device_map"] = accel.device_map
    # Full fine-tuning keeps fp32 master weights (bf16 autocast on GPU); adapters train on a bf16 base on GPU.
    dtype = torch.bfloat16 if device == "cuda" and job.method != "full" else torch.float32
    model = load_causal_lm(model_path or job.base_model, dtype, job.trust_remote_code, **kwargs)
    if accel.quantized:
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=device == "cuda")
    return model


def build_config(job: Job, device: str, has_validation: bool, accel: Acceleration) -> SFTConfig:
    return SFTConfig(
        **training_arguments(job, device, has_validation, accel),
        max_length=job.hyperparameters.max_length,
        packing=accel.packing != "padding",
        packing_strategy="bfd",  # best-fit decreasing with padding-free position ids: no cross-example attention
    )


def training_arguments(job: Job, device: str, has_validation: bool, accel: Acceleration) -> dict:
    """The Trainer arguments every loss shares (SFTConfig and TRL's DistillationConfig both take them)."""
    hyper = job.hyperparameters
    if has_validation and hyper.eval_steps:
        schedule = {"eval_strategy": "steps", "eval_steps": hyper.eval_steps,
                    "save_strategy": "steps", "save_steps": hyper.eval_steps}
    else:
        schedule = {"eval_strategy": "epoch" if has_validation else "no", "save_strategy": "epoch"}
    use_bf16 = device == "cuda" and torch.cuda.is_bf16_supported()
    if job.checkpoint == "best_valid_loss" and has_validation:
        # Lets save_total_limit rotation keep the best checkpoint (the Trainer tracks it with this metric).
        schedule.update(metric_for_best_model="eval_loss", greater_is_better=False)
    return dict(
        output_dir=os.path.join(job.output_dir, "checkpoints"),
        num_train_epochs=hyper.epochs,
        per_device_train_batch_size=hyper.batch_size,
        per_device_eval_batch_size=hyper.batch_size,
        gradient_accumulation_steps=hyper.gradient_accumulation_steps,
        learning_rate=hyper.learning_rate,
        lr_scheduler_type=hyper.lr_scheduler,
        warmup_steps=hyper.warmup_ratio,  # transformers 5: a float in [0, 1) is a ratio of total steps
        weight_decay=hyper.weight_decay,
        max_grad_norm=hyper.max_grad_norm,
        use_liger_kernel=accel.liger_kernel,
        save_total_limit=hyper.save_total_limit,
        seed=hyper.seed,
        data_seed=hyper.seed,
        save_only_model=False,  # optimizer, scheduler and RNG state too: a killed run resumes where it stopped
        logging_strategy="steps",
        logging_steps=1,
        report_to="none",
        disable_tqdm=True,
        bf16=use_bf16,
        fp16=False,
        use_cpu=device == "cpu",
        # Checkpointing saves memory on GPUs; on CPU (tiny models, tests) it only costs time.
        activation_checkpointing=device == "cuda",  # transformers 5 name of gradient_checkpointing
        ddp_backend="gloo" if device == "cpu" and world_size() > 1 else None,
        ddp_find_unused_parameters=False,  # every adapter weight is used in every forward
        dataloader_num_workers=0,
        **schedule,
    )


class EventCallback(TrainerCallback):
    """Turns Trainer callbacks into JSON events, keeps per-epoch metrics, and applies early stopping.

    Early stopping is done here rather than with transformers' EarlyStoppingCallback because that one requires
    `load_best_model_at_end`, which would also override the `checkpoint: last` choice.
    """

    def __init__(self, train_examples: int, validation_examples: int, device: str, patience: int | None,
                 acceleration: dict | None = None, teacher_usage=None):
        self.acceleration = acceleration or {}
        self.teacher_usage = teacher_usage  # on_policy.TeacherUsage: kept in progress.json so a resumed run adds on
        self.resume_from: str | None = None  # the checkpoint a killed run continues from
        self.train_examples = train_examples
        self.validation_examples = validation_examples
        self.device = device
        self.patience = patience
        self.evaluations: list[dict] = []
        self.checkpoints: list[dict] = []
        self.epochs: list[dict] = []
        self.best_valid_loss = math.inf
        self.evaluations_without_improvement = 0
        self.tokens_seen = 0
        self._epoch_losses: list[float] = []
        self._epoch_start_time = time.monotonic()
        self._epoch_start_tokens = 0
        self.start_time = time.monotonic()

    def progress(self) -> dict:
        return {"evaluations": self.evaluations, "checkpoints": self.checkpoints, "epochs": self.epochs,
                "tokens_seen": self.tokens_seen, "best_valid_loss": self.best_valid_loss,
                "evaluations_without_improvement": self.evaluations_without_improvement,
                "teacher_usage": self.teacher_usage.as_dict() if self.teacher_usage else None}

    def restore(self, progress: dict) -> None:
        """Continue a killed run: its evaluations, checkpoints and epochs up to the checkpoint resumed from."""
        self.evaluations, self.checkpoints = progress["evaluations"], progress["checkpoints"]
        self.epochs, self.tokens_seen = progress["epochs"], progress["tokens_seen"]
        self.best_valid_loss = progress["best_valid_loss"]
        self.evaluations_without_improvement = progress["evaluations_without_improvement"]
        if self.teacher_usage is not None:
            self.teacher_usage.restore(progress.get("teacher_usage") or {})
        self._epoch_start_tokens = self.tokens_seen

    def on_train_begin(self, args, state, control, **kwargs):
        self.start_time = self._epoch_start_time = time.monotonic()
        emit("start", total_steps=state.max_steps, train_examples=self.train_examples,
             validation_examples=self.validation_examples, device=self.device, versions=library_versions(),
             resumed_from_step=state.global_step or None, processes=world_size(), **self.acceleration)
        # A resumed run repeats what the killed one reported, so the reader knows every checkpoint to choose from.
        for item in self.evaluations:
            emit("eval", **item)
        for item in self.checkpoints:
            emit("checkpoint", **item)

    def on_log(self, args, state, control, logs=None, **kwargs):
        logs = logs or {}
        if "loss" not in logs:
            return
        loss = float(logs["loss"])
        if not math.isfinite(loss):
            raise TrainingError(f"training loss became {loss} at step {state.global_step}")
        self.tokens_seen = int(logs.get("num_tokens", self.tokens_seen))
        self._epoch_losses.append(loss)
        emit("step", step=state.global_step, epoch=_round(state.epoch), loss=loss,
             learning_rate=logs.get("learning_rate"), tokens_seen=self.tokens_seen)

    def on_epoch_end(self, args, state, control, **kwargs):
        seconds = time.monotonic() - self._epoch_start_time
        tokens = self.tokens_seen - self._epoch_start_tokens
        self.epochs.append({
            "epoch": len(self.epochs) + 1,
            "step": state.global_step,
            "train_loss": sum(self._epoch_losses) / len(self._epoch_losses) if self._epoch_losses else None,
            "valid_loss": None,
            "tokens": tokens,
            "tokens_per_second": tokens / seconds if seconds > 0 else None,
            "seconds": seconds,
        })
        self._epoch_losses = []
        self._epoch_start_time = time.monotonic()
        self._epoch_start_tokens = self.tokens_seen

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        if not metrics or "eval_loss" not in metrics:
            return
        valid_loss = float(metrics["eval_loss"])
        self.evaluations.append({"step": state.global_step, "epoch": _round(state.epoch), "valid_loss": valid_loss})
        if self.epochs and self.epochs[-1]["step"] == state.global_step:
            self.epochs[-1]["valid_loss"] = valid_loss
        emit("eval", step=state.global_step, epoch=_round(state.epoch), valid_loss=valid_loss)
        if valid_loss < self.best_valid_loss:
            self.best_valid_loss = valid_loss
            self.evaluations_without_improvement = 0
        else:
            self.evaluations_without_improvement += 1
            if self.patience is not None and self.evaluations_without_improvement >= self.patience:
                log(f"early stopping: no validation improvement in {self.patience} evaluation(s)")
                control.should_training_stop = True

    def on_save(self, args, state, control, **kwargs):
        valid_loss = self.valid_loss_at(state.global_step)
        record = {"step": state.global_step, "epoch": _round(state.epoch), "valid_loss": valid_loss,
                  "path": os.path.join(args.output_dir, f"checkpoint-{state.global_step}")}
        self.checkpoints.append(record)
        if is_main_process():
            write_progress(record["path"], self.progress())
        emit("checkpoint", **record)

    def valid_loss_at(self, step: int) -> float | None:
        matches = [item["valid_loss"] for item in self.evaluations if item["step"] == step]
        return matches[-1] if matches else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def choose_checkpoint(checkpoints: list[dict], rule: str) -> dict:
    """`last`: the final checkpoint. `best_valid_loss`: lowest validation loss, earliest on ties."""
    if not checkpoints:
        raise TrainingError("training produced no checkpoint")
    if rule == "last":
        return checkpoints[-1]
    evaluated = [item for item in checkpoints if item["valid_loss"] is not None]
    if not evaluated:
        raise TrainingError("no checkpoint has a validation loss to choose the best one")
    return min(evaluated, key=lambda item: item["valid_loss"])


def copy_checkpoint(checkpoint_dir: str, destination: str) -> None:
    os.makedirs(destination, exist_ok=True)
    for name in os.listdir(checkpoint_dir):
        source = os.path.join(checkpoint_dir, name)
        if os.path.isfile(source) and not name.startswith(_TRAINING_STATE_PREFIXES):
            shutil.copy2(source, os.path.join(destination, name))


def build_trainer(job: Job):
    """Load data, model and tokenizer and return `(trainer, callback)` ready to train."""
    from .on_policy import TeacherUsage, build_on_policy_trainer, prompt_dataset

    device = resolve_device(job.device)
    if job.loss.type == "topk_kd":
        job.hyperparameters.packing = False  # stored targets are looked up per padded sequence (topk_kd.py)
    tokenizer = load_tokenizer(job.base_model, job.trust_remote_code)
    max_length = job.hyperparameters.max_length
    if job.loss.type == "on_policy":  # prompts only: the student writes the answers itself
        train_dataset = prompt_dataset(tokenizer, job.train_file, max_length, job.assistant_prefix)
        validation_dataset = (prompt_dataset(tokenizer, job.validation_file, max_length, job.assistant_prefix)
                              if job.validation_file else None)
    else:
        train_dataset = Dataset.from_dict(tokenize_file(tokenizer, job.train_file, max_length, job.assistant_prefix))
        validation_dataset = (Dataset.from_dict(tokenize_file(tokenizer, job.validation_file, max_length,
                                                              job.assistant_prefix))
                              if job.validation_file else None)

    accel = plan(job, device)
    resume_from = resume_point(job)
    model = load_base_model(job, device, accel)
    apply_cpu_threads(device, model)
    has_validation = validation_dataset is not None
    config = build_config(job, device, has_validation, accel) if job.loss.type != "on_policy" else None
    # The config set up the process group: rank 0 alone prepares the folder, the others wait for it.
    prepare_checkpoints(job, resume_from)
    from accelerate import PartialState

    PartialState().wait_for_everyone()
    usage = TeacherUsage()
    callback = EventCallback(len(train_dataset), len(validation_dataset) if validation_dataset else 0, device,
                             job.hyperparameters.early_stopping_patience, accel.describe(), usage)
    if resume_from:
        callback.restore(read_progress(resume_from))
        log(f"resuming from {resume_from}")
    callback.resume_from = resume_from
    trainer_kwargs = {
        "model": model,
        "args": config,
        "train_dataset": train_dataset,
        "eval_dataset": validation_dataset,
        "processing_class": tokenizer,
        "peft_config": None if job.method == "full" else build_lora_config(job),
        "callbacks": [callback],
    }
    if job.loss.type == "kd":
        from .kd import DistillationTrainer

        teacher, vocabulary_size = load_teacher(job, tokenizer, device, accel)
        trainer = DistillationTrainer(**trainer_kwargs, teacher_model=teacher, vocabulary_size=vocabulary_size,
                                      temperature=job.loss.temperature, alpha=job.loss.alpha,
                                      direction=job.loss.direction, usage=usage)
    elif job.loss.type == "topk_kd":
        from .topk_kd import build_topk_trainer

        trainer = build_topk_trainer(job, tokenizer, trainer_kwargs)
    elif job.loss.type == "on_policy":
        del trainer_kwargs["args"]
        trainer = build_on_policy_trainer(job, tokenizer, training_arguments(job, device, has_validation, accel),
                                          trainer_kwargs, lambda: load_teacher(job, tokenizer, device, accel)[0],
                                          usage)
    else:
        trainer = SFTTrainer(**trainer_kwargs)
    return trainer, callback


def load_teacher(job: Job, student_tokenizer, device: str, accel: Acceleration):
    """The KD teacher, frozen: bf16 on GPUs (fp32 on CPU) or 4-bit nf4; checked to share the student's tokenizer."""
    from .kd import same_vocabulary

    vocabulary_size = same_vocabulary(student_tokenizer,
                                      load_tokenizer(job.loss.teacher_model, job.trust_remote_code))
    kwargs = {"attn_implementation": accel.attn_implementation}
    if job.loss.teacher_4bit:
        kwargs["quantization_config"] = quantization_config(device, sharded=accel.sharded)
        kwargs["device_map"] = {"": local_rank()} if device == "cuda" else "cpu"
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    return load_causal_lm(job.loss.teacher_model, dtype, job.trust_remote_code, **kwargs), vocabulary_size


def run_training(job: Job) -> dict:
    started = time.monotonic()
    trainer, callback = build_trainer(job)
    training_started = time.monotonic()
    trainer.train(resume_from_checkpoint=callback.resume_from)
    if trainer.eval_dataset is not None and callback.valid_loss_at(trainer.state.global_step) is None:
        trainer.evaluate()
    train_seconds = time.monotonic() - training_started

    chosen = choose_checkpoint(callback.checkpoints, job.checkpoint)
    result_dir = os.path.join(job.output_dir, "model" if job.method == "full" else "adapter")
    if chosen is callback.checkpoints[-1] and chosen["step"] == trainer.state.global_step:
        trainer.save_model(result_dir)  # the weights in memory are the chosen ones; handles distributed saving
    elif is_main_process():
        copy_checkpoint(chosen["path"], result_dir)
    if is_main_process():
        trainer.processing_class.save_pretrained(result_dir)
        # Trainer.save_model adds its pickled arguments; the result directory holds safetensors and JSON only.
        for leftover in ("training_args.bin",):
            if os.path.exists(os.path.join(result_dir, leftover)):
                os.remove(os.path.join(result_dir, leftover))

    merged_dir = None
    if job.merge and is_main_process():
        from .merge import merge_adapter

        merged_dir = merge_adapter(job.base_model, result_dir, os.path.join(job.output_dir, "merged"),
                                   trust_remote_code=job.trust_remote_code)

    seconds = time.monotonic() - started
    last_epoch = callback.epochs[-1] if callback.epochs else {}
    summary = {
        "adapter_dir": None if job.method == "full" else result_dir,
        "merged_dir": merged_dir,
        "model_dir": result_dir if job.method == "full" else None,
        "chosen_checkpoint": {"step": chosen["step"], "epoch": chosen["epoch"], "valid_loss": chosen["valid_loss"]},
        "train_loss": last_epoch.get("train_loss"),
        "valid_loss": chosen["valid_loss"],
        "trained_tokens": callback.tokens_seen,
        "seconds": round(seconds, 3),
        # The training loop alone (with its evaluations); this run's part when it resumed a killed one.
        "train_seconds": round(train_seconds, 3),
        **callback.teacher_usage.as_dict(),
        # This process's peak; under several processes each rank has its own (rank 0's is reported).
        "peak_gpu_memory_gb": round(torch.cuda.max_memory_allocated() / 2**30, 3) if torch.cuda.is_available() else None,
    }
    if is_main_process():
        write_metrics(job, callback, summary)
    emit("done", **summary)
    return summary


def write_metrics(job: Job, callback: EventCallback, summary: dict) -> None:
    metrics = {
        "method": job.method,
        "loss_type": job.loss.type,
        "checkpoint_rule": job.checkpoint,
        "chosen_checkpoint": summary["chosen_checkpoint"],
        "epochs": callback.epochs,
        "evaluations": callback.evaluations,
        "checkpoints": callback.checkpoints,
        "train_loss": summary["train_loss"],
        "valid_loss": summary["valid_loss"],
        "trained_tokens": summary["trained_tokens"],
        "seconds": summary["seconds"],
        "train_seconds": summary["train_seconds"],
        "teacher_calls": summary["teacher_calls"],
        "teacher_tokens": summary["teacher_tokens"],
        "versions": library_versions(),
    }
    os.makedirs(job.output_dir, exist_ok=True)
    with open(os.path.join(job.output_dir, "metrics.json"), "w", encoding="utf-8") as handle:
        json.dump(metrics, handle, indent=2)
