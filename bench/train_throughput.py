"""Training throughput of the worker's SFT setup: packing vs padded batches vs a plain transformers.Trainer.

    python bench/train_throughput.py                      # tiny random Llama on CPU (seconds)
    python bench/train_throughput.py --gpu-config 0.5b    # ~0.5B Qwen2-shaped random model (needs a GPU)

Tokens/s counts real (non-padding) tokens: the work that matters, whatever the batching wastes.
"""

import argparse
import os
import random
import resource
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "worker"))

import torch  # noqa: E402
from datasets import Dataset  # noqa: E402
from transformers import PrinterCallback, Trainer, TrainingArguments  # noqa: E402
from trl import SFTConfig, SFTTrainer  # noqa: E402

from distillery_worker.masking import IGNORE_INDEX, tokenize_conversation  # noqa: E402
from distillery_worker.tiny import make_tiny  # noqa: E402

WORDS = ("the a cat dog fish bird sat on mat red blue green white what is number answer question please tell me "
         "about one two three four five hello world think capital of france paris rome").split()


def random_sentence(generator: random.Random, low: int, high: int) -> str:
    return " ".join(generator.choice(WORDS) for _ in range(generator.randint(low, high)))


def tiny_setup(workdir: str, rows: int, seed: int):
    """Tiny model + tokenizer, and chat rows of varied length tokenized with the worker's masking."""
    generator = random.Random(seed)
    text_path = os.path.join(workdir, "text.txt")
    with open(text_path, "w") as handle:
        handle.write("\n".join(random_sentence(generator, 8, 16) for _ in range(400)))
    model_dir = make_tiny(os.path.join(workdir, "model"), text_path)
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    columns = {"input_ids": [], "labels": []}
    for _ in range(rows):
        messages = [{"role": "system", "content": "Answer briefly."},
                    {"role": "user", "content": random_sentence(generator, 4, 40)},
                    {"role": "assistant", "content": random_sentence(generator, 4, 60)}]
        [(input_ids, labels)] = tokenize_conversation(tokenizer, messages, max_length=512)
        columns["input_ids"].append(input_ids)
        columns["labels"].append(labels)

    def load_model():
        return AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)

    return load_model, tokenizer, columns


def half_billion_setup(workdir: str, rows: int, seed: int):
    """Qwen2-0.5B-shaped random model (no weights downloaded) and synthetic token rows."""
    from transformers import Qwen2Config, Qwen2ForCausalLM

    _, tokenizer, _ = tiny_setup(workdir, 1, seed)  # only its pad token is used by the collators
    config = Qwen2Config(vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
                         num_attention_heads=14, num_key_value_heads=2, max_position_embeddings=4096,
                         tie_word_embeddings=True)
    generator = random.Random(seed)
    columns = {"input_ids": [], "labels": []}
    for _ in range(rows):
        prompt, answer = generator.randint(32, 512), generator.randint(16, 512)
        ids = [generator.randrange(1, config.vocab_size) for _ in range(prompt + answer)]
        columns["input_ids"].append(ids)
        columns["labels"].append([IGNORE_INDEX] * prompt + ids[prompt:])

    def load_model():
        torch.manual_seed(seed)
        return Qwen2ForCausalLM(config).to(torch.bfloat16 if torch.cuda.is_available() else torch.float32)

    return load_model, tokenizer, columns


def pad_collator(pad_token_id: int):
    def collate(examples):
        width = max(len(example["input_ids"]) for example in examples)
        batch = {"input_ids": [], "labels": [], "attention_mask": []}
        for example in examples:
            padding = width - len(example["input_ids"])
            batch["input_ids"].append(example["input_ids"] + [pad_token_id] * padding)
            batch["labels"].append(example["labels"] + [IGNORE_INDEX] * padding)
            batch["attention_mask"].append([1] * len(example["input_ids"]) + [0] * padding)
        return {key: torch.tensor(value) for key, value in batch.items()}

    return collate


def common_arguments(args, output_dir: str) -> dict:
    gpu = torch.cuda.is_available() and not args.cpu
    return {"output_dir": output_dir, "num_train_epochs": 1, "per_device_train_batch_size": args.batch_size,
            "learning_rate": 1e-4, "save_strategy": "no", "eval_strategy": "no", "report_to": "none",
            "disable_tqdm": True, "logging_steps": 50, "seed": 0, "bf16": gpu, "use_cpu": not gpu,
            "dataloader_num_workers": 0}


def build_runs(args, load_model, tokenizer, columns, workdir):
    dataset = Dataset.from_dict(columns)

    def sft(packing: bool):
        def make():
            config = SFTConfig(**common_arguments(args, os.path.join(workdir, f"sft-{packing}")),
                               max_length=args.max_length, packing=packing, packing_strategy="bfd",
                               activation_checkpointing=False)
            return SFTTrainer(model=load_model(), args=config, train_dataset=dataset, processing_class=tokenizer)
        return make

    def plain():
        arguments = TrainingArguments(**common_arguments(args, os.path.join(workdir, "plain")),
                                      remove_unused_columns=False)
        return Trainer(model=load_model(), args=arguments, train_dataset=dataset,
                       data_collator=pad_collator(tokenizer.pad_token_id))

    return [("SFTTrainer packing (bfd, padding-free)", sft(True)),
            ("SFTTrainer no packing (padded batches)", sft(False)),
            ("transformers.Trainer (padded batches)", plain)]


def peak_memory_mb() -> float:
    if torch.cuda.is_available():
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # process high-water mark (KiB on Linux)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gpu-config", choices=("tiny", "0.5b"), default="tiny")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-length", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    parser.add_argument("--cpu", action="store_true", help="stay on CPU even when CUDA is present")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    big = args.gpu_config == "0.5b"
    args.rows = args.rows or (512 if big else 256)
    args.max_length = args.max_length or (2048 if big else 512)

    with tempfile.TemporaryDirectory() as workdir:
        setup = half_billion_setup if big else tiny_setup
        load_model, tokenizer, columns = setup(workdir, args.rows, seed=0)
        real_tokens = sum(len(ids) for ids in columns["input_ids"])
        device = "cuda" if torch.cuda.is_available() and not args.cpu else "cpu"
        print(f"model={args.gpu_config} device={device} threads={torch.get_num_threads()} rows={args.rows} "
              f"tokens={real_tokens} batch_size={args.batch_size} max_length={args.max_length}")
        print(f"{'configuration':42} {'steps':>6} {'seconds':>8} {'tokens/s':>10} {'peak MB':>9}")
        for name, make_trainer in build_runs(args, load_model, tokenizer, columns, workdir):
            trainer = make_trainer()
            trainer.remove_callback(PrinterCallback)  # keep stdout to the table
            if torch.cuda.is_available():
                torch.cuda.reset_peak_memory_stats()
            started = time.perf_counter()
            trainer.train()
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            seconds = time.perf_counter() - started
            print(f"{name:42} {trainer.state.global_step:>6} {seconds:>8.2f} {real_tokens / seconds:>10.0f} "
                  f"{peak_memory_mb():>9.0f}", flush=True)
            del trainer


if __name__ == "__main__":
    main()
