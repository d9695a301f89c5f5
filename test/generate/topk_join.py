"""How many of a training file's answer tokens get a teacher top-k from a logprobs.jsonl, as `topk_kd` aligns them.

usage: topk_join.py MODEL_DIR TRAIN.jsonl LOGPROBS.jsonl K OUT.json → {"answer_tokens": n, "matched_tokens": m}
The same steps as topk_kd.build_topk_trainer (read, mask with the chat template, align), without training.
"""

import json
import sys

from transformers import AutoTokenizer

from distillery_worker.data import read_conversations
from distillery_worker.masking import tokenize_conversation
from distillery_worker.topk_kd import TopKTargets

model_dir, train_file, logprobs_file, k, out_path = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
tokenizer = AutoTokenizer.from_pretrained(model_dir)
conversations = read_conversations(train_file)
sequences, rows = [], []
for index, messages in enumerate(conversations):
    for sequence in tokenize_conversation(tokenizer, messages, 4096):
        sequences.append(sequence)
        rows.append(index)
targets = TopKTargets(tokenizer, logprobs_file, conversations, sequences, rows, k)
with open(out_path, "w", encoding="utf-8") as handle:
    json.dump({"answer_tokens": targets.answer_tokens, "matched_tokens": targets.matched_tokens}, handle)
