"""GPU check of the local training paths, run through the worker exactly as `distillery train` runs it.

    python bench/gpu_check.py [--steps-scale 1] [--out DIR]

On a CUDA machine it trains a LoRA adapter on a small random Llama (built here, nothing downloaded) with:
  1. bf16, padded batches (sdpa)
  2. bf16, packed rows on the varlen path (flash_attention_2 when flash-attn is installed, else a kernels-hub
     flash kernel when `kernels` is installed; otherwise reported as not run, with the reason)
  3. QLoRA (bitsandbytes nf4 base)
  4. two-process DDP under `accelerate launch` (needs two GPUs)
and prints, per case, tokens/s (real tokens, no padding), peak GPU memory and the final training loss.
Without CUDA it refuses: the CPU paths are what the worker's tests cover.
"""

import argparse
import importlib.util
import json
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKER = os.path.join(ROOT, "worker")
sys.path.insert(0, WORKER)

import torch  # noqa: E402

WORDS = ("the a cat dog fish bird sat on mat red blue green white what is number answer question please tell me "
         "about one two three four five hello world think capital of france paris rome").split()


def build(workdir: str, rows: int) -> tuple[str, str]:
    from distillery_worker.tiny import make_tiny

    generator = random.Random(0)
    text = os.path.join(workdir, "text.txt")
    with open(text, "w") as handle:
        handle.writelines(" ".join(generator.choice(WORDS) for _ in range(30)) + "\n" for _ in range(3000))
    model = make_tiny(os.path.join(workdir, "model"), text, layers=8, hidden=512, heads=8, vocab=2048, seed=0)
    train = os.path.join(workdir, "train.jsonl")
    with open(train, "w") as handle:
        for _ in range(rows):
            sentence = lambda low, high: " ".join(generator.choice(WORDS) for _ in range(generator.randint(low, high)))  # noqa: E731
            handle.write(json.dumps({"messages": [{"role": "user", "content": sentence(10, 200)},
                                                  {"role": "assistant", "content": sentence(10, 400)}]}) + "\n")
    return model, train


def job(model: str, train: str, out: str, **overrides) -> dict:
    base = {"base_model": model, "train_file": train, "output_dir": out, "device": "cuda", "method": "lora",
            "lora": {"r": 16, "alpha": 32, "dropout": 0.0},
            "hyperparameters": {"epochs": 1, "batch_size": 8, "max_length": 1024, "lr_scheduler": "constant",
                                "seed": 0}}
    base.update(overrides)
    return base


def run(name: str, job_dict: dict, workdir: str, launcher: list[str]) -> dict:
    path = os.path.join(workdir, f"{name}.json")
    with open(path, "w") as handle:
        json.dump(job_dict, handle)
    result = subprocess.run([sys.executable, *launcher, "train", path], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": WORKER}, timeout=3600)
    events = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0:
        error = events[-1]["message"] if events and events[-1].get("event") == "error" else result.stderr[-800:]
        return {"case": name, "error": error}
    with open(os.path.join(job_dict["output_dir"], "metrics.json")) as handle:
        metrics = json.load(handle)
    done, start = events[-1], events[0]
    rates = [epoch["tokens_per_second"] for epoch in metrics["epochs"] if epoch.get("tokens_per_second")]
    return {"case": name, "tokens_per_second": round(sum(rates) / len(rates)) if rates else None,
            "peak_gpu_memory_gb": done.get("peak_gpu_memory_gb"), "train_loss": done.get("train_loss"),
            "attention": start.get("attn_implementation"), "batches": start.get("packing"),
            "processes": start.get("processes")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=512)
    parser.add_argument("--out", default=None, help="keep the models and outputs here (default: a temp folder)")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("gpu_check needs a CUDA GPU: torch.cuda.is_available() is False here. The CPU paths (LoRA, QLoRA "
              "on bitsandbytes' CPU backend, two gloo processes) are covered by worker/tests.", file=sys.stderr)
        return 2
    workdir = args.out or tempfile.mkdtemp(prefix="distillery-gpu-check-")
    os.makedirs(workdir, exist_ok=True)
    model, train = build(workdir, args.rows)
    module = ["-m", "distillery_worker"]
    results = [run("lora-bf16-padded", job(model, train, os.path.join(workdir, "padded"),
                                           attn_implementation="sdpa",
                                           hyperparameters={**job(model, train, "")["hyperparameters"],
                                                            "packing": False}), workdir, module)]
    if importlib.util.find_spec("flash_attn") is not None:
        flash = "flash_attention_2"
    elif importlib.util.find_spec("kernels") is not None:
        flash = "kernels-community/flash-attn"
    else:
        flash = None
    if flash:
        results.append(run("lora-bf16-packed-flash", job(model, train, os.path.join(workdir, "packed"),
                                                         attn_implementation=flash), workdir, module))
    else:
        results.append({"case": "lora-bf16-packed-flash", "error": "not run: neither flash-attn nor kernels is "
                        "installed in the worker environment (pip install flash-attn or kernels)"})
    results.append(run("qlora-nf4", job(model, train, os.path.join(workdir, "qlora"), method="qlora"), workdir,
                       module))
    if torch.cuda.device_count() >= 2:
        config = os.path.join(workdir, "accelerate.json")
        with open(config, "w") as handle:
            json.dump({"compute_environment": "LOCAL_MACHINE", "distributed_type": "MULTI_GPU", "num_machines": 1,
                       "num_processes": 2, "machine_rank": 0, "main_process_port": 29561, "use_cpu": False}, handle)
        half = job(model, train, os.path.join(workdir, "ddp"))
        half["hyperparameters"]["batch_size"] = 4  # the same global batch over two processes
        results.append(run("lora-ddp-2-processes", half, workdir,
                           ["-m", "accelerate.commands.launch", "--config_file", config, "-m", "distillery_worker"]))
    else:
        results.append({"case": "lora-ddp-2-processes", "error": f"not run: needs 2 GPUs, found "
                        f"{torch.cuda.device_count()}"})
    print(f"GPU: {torch.cuda.get_device_name(0)}, torch {torch.__version__}")
    for result in results:
        if "error" in result:
            print(f"{result['case']:<26} {result['error']}")
        else:
            print(f"{result['case']:<26} {result['tokens_per_second']:>9} tokens/s  peak "
                  f"{result['peak_gpu_memory_gb']} GB  loss {result['train_loss']:.3f}  "
                  f"[{result['attention']}, {result['batches']}, {result['processes']} process(es)]")
    return 1 if any("error" in result and not result["error"].startswith("not run") for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
