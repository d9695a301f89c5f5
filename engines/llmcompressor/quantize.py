"""Quantizes a merged model to 4-bit weights (W4A16) with llmcompressor's oneshot, saved as compressed-tensors
with its tokenizer and chat template, the format vLLM loads.

Usage: python quantize.py MODEL_DIR CALIBRATION.jsonl OUT_DIR --method gptq|awq --group-size N|channel
       [--samples N] [--max-length N]
CALIBRATION.jsonl: one {"messages": [...]} per line (the run's training rows); each is rendered with the
model's own chat template, so the calibration activations are those the student sees when it answers.
Prints one JSON line: {"event": "done", "samples": N, "group_size": N|null}.
"""
import argparse
import json

from compressed_tensors.quantization import QuantizationArgs, QuantizationScheme
from datasets import Dataset
from llmcompressor import oneshot
from transformers import AutoModelForCausalLM, AutoTokenizer


def weight_scheme(group_size: str) -> QuantizationScheme:
    """4-bit symmetric integer weights, 16-bit activations: per group of columns, or per output channel."""
    if group_size == "channel":
        weights = QuantizationArgs(num_bits=4, type="int", symmetric=True, strategy="channel")
    else:
        weights = QuantizationArgs(num_bits=4, type="int", symmetric=True, strategy="group", group_size=int(group_size))
    return QuantizationScheme(targets=["Linear"], weights=weights)


def recipe(method: str, group_size: str) -> list:
    scheme = {"group_0": weight_scheme(group_size)}
    if method == "awq":
        # Needs CUDA: AWQ's activation cache calls pin_memory() unconditionally (Distillery refuses it on CPU).
        from llmcompressor.modifiers.quantization import QuantizationModifier
        from llmcompressor.modifiers.transform.awq import AWQModifier
        return [AWQModifier(), QuantizationModifier(config_groups=scheme, ignore=["lm_head"])]
    from llmcompressor.modifiers.gptq import GPTQModifier
    return [GPTQModifier(config_groups=scheme, ignore=["lm_head"])]


def calibration_set(tokenizer, path: str, samples: int, max_length: int) -> Dataset:
    with open(path, encoding="utf-8") as source:
        rows = [json.loads(line) for line in source if line.strip()][:samples]
    if not rows:
        raise SystemExit(f"{path} has no calibration rows")
    texts = [tokenizer.apply_chat_template(row["messages"], tokenize=False) for row in rows]
    encoded = [tokenizer(text, truncation=True, max_length=max_length, add_special_tokens=False) for text in texts]
    return Dataset.from_list([{"input_ids": item["input_ids"], "attention_mask": item["attention_mask"]} for item in encoded])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("calibration")
    parser.add_argument("out")
    parser.add_argument("--method", choices=["gptq", "awq"], required=True)
    parser.add_argument("--group-size", default="128")
    parser.add_argument("--samples", type=int, default=256)
    parser.add_argument("--max-length", type=int, default=2048)
    args = parser.parse_args()

    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype="auto")
    dataset = calibration_set(tokenizer, args.calibration, args.samples, args.max_length)
    oneshot(model=model, dataset=dataset, recipe=recipe(args.method, args.group_size),
            num_calibration_samples=len(dataset), max_seq_length=args.max_length, shuffle_calibration_samples=False)
    model.save_pretrained(args.out, save_compressed=True)
    tokenizer.save_pretrained(args.out)
    print(json.dumps({"event": "done", "samples": len(dataset),
                      "group_size": None if args.group_size == "channel" else int(args.group_size)}))


if __name__ == "__main__":
    main()
