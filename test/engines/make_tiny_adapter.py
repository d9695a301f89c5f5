"""Writes a PEFT LoRA adapter with random (non-zero) weights for a tiny base, so that the adapter visibly
changes the base's answers; a freshly initialised LoRA has B = 0 and would change nothing.

Usage: python make_tiny_adapter.py BASE_DIR OUT_DIR [RANK] [SEED]
"""
import sys

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer


def main() -> None:
    base, out = sys.argv[1], sys.argv[2]
    rank = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    torch.manual_seed(int(sys.argv[4]) if len(sys.argv) > 4 else 0)
    model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
    config = LoraConfig(r=rank, lora_alpha=2 * rank, target_modules=["q_proj", "v_proj", "o_proj", "down_proj"], lora_dropout=0.0, task_type="CAUSAL_LM")
    model = get_peft_model(model, config)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "lora_B" in name or "lora_A" in name:
                parameter.normal_(0.0, 0.25)
    model.save_pretrained(out)
    AutoTokenizer.from_pretrained(base).save_pretrained(out)


if __name__ == "__main__":
    main()
