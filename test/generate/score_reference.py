"""Reference for prompt_logprobs scoring: the top-k log-probs of each answer token, computed with transformers.

usage: score_reference.py MODEL_DIR CASES.json K OUT.json  → JSON in OUT.json, per case a list of positions
{token, logprob, top: [[id, logprob], ...]} (the distribution at the position before each answer token).
The prompt is the chat template rendered with the generation prompt, tokenized without special tokens (as vLLM's
/tokenize does for messages); the answer is tokenized on its own.
"""

import json
import sys

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

model_dir, cases_path, k, out_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
tokenizer = AutoTokenizer.from_pretrained(model_dir)
model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
with open(cases_path, encoding="utf-8") as handle:
    cases = json.load(handle)
results = []
for case in cases:
    text = tokenizer.apply_chat_template(case["messages"], add_generation_prompt=True, tokenize=False)
    prompt = tokenizer(text, add_special_tokens=False)["input_ids"]
    answer = tokenizer(case["answer"], add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        logits = model(torch.tensor([prompt + answer])).logits[0].float()
    log_probs = torch.log_softmax(logits, dim=-1)
    positions = []
    for index, token in enumerate(answer):
        distribution = log_probs[len(prompt) + index - 1]
        top = torch.topk(distribution, k)
        positions.append({"token": token, "logprob": float(distribution[token]),
                          "top": [[int(i), float(v)] for i, v in zip(top.indices, top.values)]})
    results.append(positions)
with open(out_path, "w", encoding="utf-8") as handle:  # not stdout: transformers logs its loading there
    json.dump(results, handle)
