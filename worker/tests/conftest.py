"""Shared fixtures: a tiny random Llama + BPE tokenizer built from fixture text, chat data, and trained runs."""

import contextlib
import io
import json
import os
import random
import sys

import pytest

# Tiny models gain nothing from intra-op threads, and on a shared 2-core runner OpenMP threads spinning against
# other processes make each step ~50x slower. Subprocesses (CLI, server) inherit the variable.
os.environ["OMP_NUM_THREADS"] = "1"
import torch  # noqa: E402

torch.set_num_threads(1)

WORKER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if WORKER_DIR not in sys.path:
    sys.path.insert(0, WORKER_DIR)

from distillery_worker import events  # noqa: E402
from distillery_worker.jobfile import parse_job  # noqa: E402
from distillery_worker.tiny import make_tiny  # noqa: E402

COLORS = ["red", "blue", "green", "white"]
ANIMALS = ["cat", "dog", "fish", "bird"]
SYSTEM_PROMPT = "Answer briefly."


def fixture_text() -> str:
    generator = random.Random(0)
    words = ("the a cat dog fish bird sat on mat red blue green white what is number answer question please tell "
             "me about one two three four five hello world think capital of france paris rome").split()
    lines = [" ".join(generator.choice(words) for _ in range(12)) for _ in range(300)]
    lines += [f"what is number {i}? {COLORS[i % 4]} {ANIMALS[(i // 4) % 4]}" for i in range(40)]
    return "\n".join(lines) + "\n"


def chat_row(question: str, answer: str) -> dict:
    return {"messages": [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": question},
                         {"role": "assistant", "content": answer}]}


def memorize_rows(indices, answer_offset: int = 0) -> list[dict]:
    """Rows a tiny model can memorize: question i -> a fixed color/animal pair (shifted by `answer_offset`)."""
    return [chat_row(f"what is number {i}?", f"{COLORS[(i + answer_offset) % 4]} {ANIMALS[((i + answer_offset) // 4) % 4]}")
            for i in indices]


def write_jsonl(path, rows) -> str:
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")
    return str(path)


@contextlib.contextmanager
def captured_events():
    """Collect the JSON events emitted in-process."""
    buffer = io.StringIO()
    previous = events._event_stream
    events._event_stream = buffer
    collected: list[dict] = []
    try:
        yield collected
    finally:
        events._event_stream = previous
        collected.extend(json.loads(line) for line in buffer.getvalue().splitlines() if line.strip())


def make_job(model_dir, train_file, output_dir, **overrides) -> dict:
    hyperparameters = {"epochs": 12, "batch_size": 8, "learning_rate": 1e-2, "lr_scheduler": "constant",
                       "max_length": 128, "seed": 0}
    hyperparameters.update(overrides.pop("hyperparameters", {}))
    job = {"base_model": str(model_dir), "train_file": str(train_file), "output_dir": str(output_dir),
           "method": "lora", "lora": {"r": 16, "alpha": 16, "dropout": 0.0}, "hyperparameters": hyperparameters,
           "device": "cpu"}
    job.update(overrides)
    return job


def run_job(job: dict) -> tuple[dict, list[dict]]:
    from distillery_worker.train import run_training

    with captured_events() as collected:
        summary = run_training(parse_job(job))
    return summary, collected


def losses(collected, event="step", key="loss") -> list[float]:
    return [item[key] for item in collected if item["event"] == event]


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("tiny")
    text_path = root / "text.txt"
    text_path.write_text(fixture_text(), encoding="utf-8")
    return make_tiny(str(root / "model"), str(text_path), layers=2, hidden=64, heads=4, vocab=512, seed=0)


@pytest.fixture(scope="session")
def tiny_tokenizer(tiny_model):
    from distillery_worker.modeling import load_tokenizer

    return load_tokenizer(tiny_model)


@pytest.fixture(scope="session")
def trained_lora(tiny_model, tmp_path_factory):
    """A LoRA adapter trained to memorize `memorize_rows(range(8))`; shared by reload, merge and serve tests."""
    root = tmp_path_factory.mktemp("lora")
    train_file = write_jsonl(root / "train.jsonl", memorize_rows(range(8)))
    job = make_job(tiny_model, train_file, root / "out", hyperparameters={"epochs": 16})
    summary, collected = run_job(job)
    return {"job": job, "summary": summary, "events": collected, "output_dir": str(root / "out")}


@pytest.fixture(scope="session")
def trained_full(tiny_model, tmp_path_factory):
    """A fully fine-tuned tiny model (the offline example's tiny teacher)."""
    root = tmp_path_factory.mktemp("full")
    train_file = write_jsonl(root / "train.jsonl", memorize_rows(range(8)))
    job = make_job(tiny_model, train_file, root / "out", method="full",
                   hyperparameters={"epochs": 10, "learning_rate": 3e-3})
    job.pop("lora")
    summary, collected = run_job(job)
    return {"job": job, "summary": summary, "events": collected, "output_dir": str(root / "out")}
