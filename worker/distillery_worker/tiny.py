"""Build a tiny random LlamaForCausalLM with a byte-level BPE tokenizer trained on a text file.

Used by the tests, the benchmark and the offline example: everything is created locally, nothing is downloaded.
"""

import os
import re

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

PAD_TOKEN = "<|endoftext|>"
START_TOKEN = "<|im_start|>"
END_TOKEN = "<|im_end|>"

# ChatML with `{% generation %}` markers so `return_assistant_tokens_mask` works; the end-of-turn token sits inside
# the markers so the model learns to stop.
CHAT_TEMPLATE = (
    "{%- for message in messages -%}"
    "{%- if message['role'] == 'assistant' -%}"
    "{{- '<|im_start|>assistant\\n' -}}"
    "{%- generation -%}{{- message['content'] + '<|im_end|>' -}}{%- endgeneration -%}"
    "{{- '\\n' -}}"
    "{%- else -%}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' -}}"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}"
)


# Special tokens written as literals in real templates: <|im_end|>, <｜Assistant｜>, [INST], <start_of_turn>, <think>.
_TEMPLATE_TOKEN = re.compile(r"<[|｜][^<>|｜\s'\"]+[|｜]>|\[/?[A-Z_]+\]|</?[a-z_]+>")


def template_special_tokens(template: str) -> list[str]:
    """The special tokens a chat template writes, in first-seen order (so a tiny tokenizer keeps them whole)."""
    seen: dict[str, None] = {}
    for token in _TEMPLATE_TOKEN.findall(template):
        seen.setdefault(token, None)
    return list(seen)


def train_tokenizer(text_path: str, vocab_size: int, chat_template: str | None = None, bos_token: str | None = None,
                    eos_token: str = END_TOKEN) -> PreTrainedTokenizerFast:
    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(dict.fromkeys([PAD_TOKEN, START_TOKEN, END_TOKEN,
                                           *([bos_token] if bos_token else []), eos_token,
                                           *template_special_tokens(chat_template or "")])),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    backend.train([text_path], trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, eos_token=eos_token, pad_token=PAD_TOKEN,
                                        bos_token=bos_token)
    tokenizer.chat_template = chat_template or CHAT_TEMPLATE
    return tokenizer


def make_tiny(out_dir: str, text_path: str, layers: int = 2, hidden: int = 64, heads: int = 4,
              vocab: int = 512, seed: int = 0, chat_template: str | None = None, bos_token: str | None = None,
              eos_token: str = END_TOKEN) -> str:
    """`chat_template`: a real model's template (Jinja text); its special tokens join the vocabulary, and
    `eos_token` (its end-of-turn token) is where generation stops."""
    if hidden % heads:
        raise ValueError(f"--hidden ({hidden}) must be divisible by --heads ({heads})")
    tokenizer = train_tokenizer(text_path, vocab, chat_template, bos_token, eos_token)
    end_id = tokenizer.convert_tokens_to_ids(eos_token)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        intermediate_size=hidden * 4,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=heads,
        max_position_embeddings=4096,
        bos_token_id=None,
        eos_token_id=end_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,
        # Width-scaled init (1/sqrt(hidden)) instead of the usual 0.02: with a narrow model, 0.02 caps the logits
        # behind the final RMSNorm near +-1, so a LoRA adapter on a random tiny base could never fit its data.
        initializer_range=hidden**-0.5,
    )
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    model.generation_config = GenerationConfig(eos_token_id=end_id, pad_token_id=tokenizer.pad_token_id)
    os.makedirs(out_dir, exist_ok=True)
    model.save_pretrained(out_dir)  # safetensors is the only format transformers 5 writes
    tokenizer.save_pretrained(out_dir)
    return out_dir
