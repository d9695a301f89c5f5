"""How far a student is from its teacher where it matters for on-policy distillation: the per-token reverse KL,
KL(student || teacher) over the full vocabulary, at the tokens the student itself samples for held-out prompts.

`python -m distillery_worker divergence --student M [--adapter A] --teacher T FILE` prints
`{"reverse_kl": mean per token, "tokens": n, "prompts": m}`.
"""

import torch

from .kd import kl_divergence
from .on_policy import prompt_ids


@torch.no_grad()
def sampled_reverse_kl(student, teacher, prompts: list[list[int]], max_new_tokens: int, seed: int,
                       eos_token_ids: list[int]) -> dict:
    """Mean KL(student || teacher) per sampled token; each prompt sampled once (temperature 1) with a fixed seed."""
    student.eval()
    teacher.eval()
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    total, tokens = 0.0, 0
    try:
        for prompt in prompts:
            input_ids = torch.tensor([prompt])
            sequence = student.generate(input_ids=input_ids, attention_mask=torch.ones_like(input_ids),
                                        do_sample=True, temperature=1.0, top_k=0, top_p=1.0,
                                        max_new_tokens=max_new_tokens, eos_token_id=eos_token_ids,
                                        pad_token_id=eos_token_ids[0])
            completion = sequence[0, len(prompt):]
            stops = [index for index, token in enumerate(completion.tolist()) if token in eos_token_ids]
            length = stops[0] + 1 if stops else completion.numel()  # the end-of-turn token is sampled too
            if length == 0:
                continue
            sequence = sequence[:, :len(prompt) + length]
            # Logits at position p predict token p + 1: the completion's tokens are predicted from len(prompt) - 1 on.
            window = slice(len(prompt) - 1, len(prompt) - 1 + length)
            student_logits = student(input_ids=sequence).logits[0, window]
            teacher_logits = teacher(input_ids=sequence).logits[0, window]
            vocabulary = min(student_logits.shape[-1], teacher_logits.shape[-1])
            total += float(kl_divergence(student_logits[:, :vocabulary], teacher_logits[:, :vocabulary], 1.0, "reverse"))
            tokens += length
    finally:
        torch.random.set_rng_state(generator_state)
    return {"reverse_kl": total / tokens if tokens else None, "tokens": tokens, "prompts": len(prompts)}


def divergence_of_files(student_path: str, adapter: str | None, teacher_path: str, chat_file: str,
                        max_new_tokens: int, seed: int, assistant_prefix: str = "", trust_remote_code: bool = False,
                        limit: int | None = None) -> dict:
    from .data import read_conversations
    from .kd import same_vocabulary
    from .modeling import load_causal_lm, load_tokenizer

    tokenizer = load_tokenizer(student_path, trust_remote_code)
    same_vocabulary(tokenizer, load_tokenizer(teacher_path, trust_remote_code))
    student = load_causal_lm(student_path, torch.float32, trust_remote_code)
    if adapter:
        from peft import PeftModel

        student = PeftModel.from_pretrained(student, adapter)
    teacher = load_causal_lm(teacher_path, torch.float32, trust_remote_code)
    conversations = read_conversations(chat_file)[:limit]
    prompts = [prompt_ids(tokenizer, messages, 1 << 30, assistant_prefix) for messages in conversations]
    eos = student.generation_config.eos_token_id
    eos_ids = [eos] if isinstance(eos, int) else list(eos or [tokenizer.eos_token_id])
    return sampled_reverse_kl(student, teacher, prompts, max_new_tokens, seed, eos_ids)
