"""Seconds per optimizer step of on-policy distillation against SFT on the same job (issue 14). Prints its figures.

    python bench/on_policy_step.py JOB.json [--steps 4] [--profile]

JOB.json is a worker train job with `loss.type: on_policy` (e.g. a `distillery compare` variant's train/job.json);
SFT runs the same job with the default loss. Each runs `--steps` optimizer steps (the first is reported apart: it
includes warm-up); the output goes to a temporary folder. `--profile` prints where on-policy's time goes
(torch profiler, top operators by CPU time).
"""

import argparse
import copy
import dataclasses
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "worker"))

from transformers import TrainerCallback  # noqa: E402

from distillery_worker.jobfile import LossSettings, load_job  # noqa: E402
from distillery_worker.train import build_trainer  # noqa: E402


class StepTimer(TrainerCallback):
    def __init__(self):
        self.seconds: list[float] = []
        self._started = 0.0

    def on_step_begin(self, args, state, control, **kwargs):
        self._started = time.perf_counter()

    def on_step_end(self, args, state, control, **kwargs):
        self.seconds.append(time.perf_counter() - self._started)


def time_steps(job, steps: int, profile: bool) -> list[float]:
    with tempfile.TemporaryDirectory() as output_dir:
        job = dataclasses.replace(job, output_dir=output_dir, resume=False)
        trainer, _ = build_trainer(job)
        trainer.args.max_steps = steps
        trainer.args.eval_strategy = "no"
        trainer.args.save_strategy = "no"
        timer = StepTimer()
        trainer.add_callback(timer)
        if not profile:
            trainer.train()
            return timer.seconds
        from torch.profiler import ProfilerActivity, profile as torch_profile

        with torch_profile(activities=[ProfilerActivity.CPU]) as profiler:
            trainer.train()
        print(profiler.key_averages().table(sort_by="cpu_time_total", row_limit=30))
        return timer.seconds


def describe(name: str, seconds: list[float]) -> str:
    rest = seconds[1:] or seconds
    return (f"{name:10s} first step {seconds[0]:.2f} s; then median {statistics.median(rest):.2f} s "
            f"(min {min(rest):.2f}, max {max(rest):.2f}) over {len(rest)} step(s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("job")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--skip-sft", action="store_true")
    args = parser.parse_args()
    job = load_job(args.job)
    if job.loss.type != "on_policy":
        sys.exit(f"{args.job}: loss.type is {job.loss.type!r}, not 'on_policy'")
    on_policy = time_steps(job, args.steps, args.profile)
    lines = [describe("on-policy", on_policy)]
    if not args.skip_sft:
        sft = time_steps(dataclasses.replace(job, loss=LossSettings()), args.steps, False)
        lines.append(describe("sft", sft))
        lines.append(f"on-policy / sft (median): {statistics.median(on_policy[1:] or on_policy) / statistics.median(sft[1:] or sft):.1f}x")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
