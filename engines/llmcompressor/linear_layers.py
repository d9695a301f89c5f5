"""Prints the Linear layers a W4A16 scheme would quantize, with their input widths, as one JSON line.

Usage: python linear_layers.py MODEL_DIR
Output: {"layers": [{"name", "columns"}]}. The model is built on the meta device from its config (no weights
read), so the group-size check runs in seconds even for a large model, before any calibration.
"""
import json
import sys

import torch
from accelerate import init_empty_weights
from transformers import AutoConfig, AutoModelForCausalLM


def main() -> None:
    config = AutoConfig.from_pretrained(sys.argv[1])
    with init_empty_weights():
        model = AutoModelForCausalLM.from_config(config)
    output = model.get_output_embeddings()
    layers = [
        {"name": name, "columns": module.in_features}
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear) and module is not output
    ]
    print(json.dumps({"layers": layers}))


if __name__ == "__main__":
    main()
