"""On-policy distillation (issue 14): the student samples answers to the training prompts, the teacher scores the
student's own tokens, and the student learns the teacher's next-token distribution on them (GKD, Agarwal et al.).

Built on TRL's `DistillationTrainer` (generalized JSD: `beta` 0 forward KL ... 1 reverse KL, the default). The
teacher is either loaded beside the student (`teacher: local`, the full-vocabulary divergence) or served by vLLM
(`teacher: served`): then TRL's `ServerDistillationTrainer` loss runs over the logprobs our `CompletionsTeacher`
fetches from vLLM's OpenAI-compatible `/v1/completions` (`prompt_logprobs`), never the whole teacher in memory.

Prompts are token ids, built the way SFT and serving build them (masking.py), so the student samples exactly what it
will answer when served. Validation loss is the same divergence on the validation prompts (the student's samples),
which is what the best checkpoint is chosen by.
"""

import time

from datasets import Dataset
from trl import DistillationConfig, DistillationTrainer

from .data import read_conversations
from .events import ConfigError, DataError, log
from .kd import same_vocabulary
from .masking import tokenize_conversation


class TeacherUsage:
    """Teacher calls (forward passes or HTTP requests) and the student tokens they scored, training and validation."""

    def __init__(self) -> None:
        self.calls = 0
        self.tokens = 0
        self.seconds = 0.0

    def add(self, calls: int, tokens: int, seconds: float) -> None:
        self.calls += calls
        self.tokens += tokens
        self.seconds += seconds

    def as_dict(self) -> dict:
        return {"teacher_calls": self.calls, "teacher_tokens": self.tokens, "teacher_seconds": round(self.seconds, 3)}

    def restore(self, saved: dict) -> None:
        self.calls, self.tokens = int(saved.get("teacher_calls", 0)), int(saved.get("teacher_tokens", 0))
        self.seconds = float(saved.get("teacher_seconds", 0.0))


def prompt_ids(tokenizer, messages: list[dict], max_length: int, assistant_prefix: str) -> list[int]:
    """The tokens before the first trained (assistant) token of a conversation: what the student answers."""
    input_ids, labels = tokenize_conversation(tokenizer, messages, 1 << 30, assistant_prefix)[0]
    first = next(index for index, label in enumerate(labels) if label != -100)
    return input_ids[:first][-max_length:]  # the end holds the generation prompt; keep it when truncating


def prompt_dataset(tokenizer, path: str, max_length: int, assistant_prefix: str) -> Dataset:
    """A `prompt` column of token-id lists, one per conversation of a chat JSONL file (its answers are unused)."""
    prompts = []
    for row, messages in enumerate(read_conversations(path), start=1):
        try:
            prompts.append(prompt_ids(tokenizer, messages, max_length, assistant_prefix))
        except DataError as error:
            raise type(error)(f"{path}: row {row}: {error}") from error
    return Dataset.from_dict({"prompt": prompts})


class _TokenIdPrompts:
    """Prompts arrive as token ids (see `prompt_dataset`): TRL's own tokenization would render them again."""

    def _tokenize_prompts(self, prompts: list):
        return [list(prompt) for prompt in prompts], None, {}


class LocalTeacherTrainer(_TokenIdPrompts, DistillationTrainer):
    """The teacher loaded beside the student; counts its forward passes and the completion tokens they scored."""

    def __init__(self, *args, usage: TeacherUsage, **kwargs):
        super().__init__(*args, **kwargs)
        self.usage = usage

    def _compute_loss(self, unwrapped_student, inputs, num_items_in_batch):
        started = time.monotonic()
        result = super()._compute_loss(unwrapped_student, inputs, num_items_in_batch)
        scored = int(inputs["completion_mask"].sum())
        self.usage.add(1, scored, time.monotonic() - started)
        return result


def served_teacher_trainer(*, teacher_client, usage: TeacherUsage, **kwargs):
    """TRL's server-teacher trainer with our OpenAI-compatible teacher client instead of its own vLLM client (which
    needs vLLM installed beside the trainer and TRL's own server)."""
    from trl.experimental.server_distillation import ServerDistillationTrainer

    class ServedTeacherTrainer(_TokenIdPrompts, ServerDistillationTrainer):
        def __init__(self, **inner):
            args = inner["args"]
            # ServerDistillationTrainer.__init__ would build TRL's VLLMClient; the base trainer is all we need.
            DistillationTrainer.__init__(self, teacher_model=None, **inner)
            self.reverse_kl_top_1_mode = args.reverse_kl_top_1_mode
            self.loss_top_k = args.loss_top_k
            self.loss_add_tail = args.loss_add_tail
            self.teacher_client = teacher_client
            self.usage = usage

    return ServedTeacherTrainer(**kwargs)


def build_on_policy_trainer(job, tokenizer, common_arguments: dict, trainer_kwargs: dict, load_teacher,
                            usage: TeacherUsage):
    """Check the tokenizers and build the on-policy trainer (local or served teacher)."""
    from .modeling import load_tokenizer
    from .teacher_client import CompletionsTeacher, teacher_server_from_environment

    loss = job.loss
    vocabulary = same_vocabulary(tokenizer, load_tokenizer(loss.teacher_model, job.trust_remote_code))
    settings = {"beta": loss.beta, "temperature": loss.temperature, "max_completion_length": loss.max_new_tokens,
                "top_k": 0, "top_p": 1.0}
    kwargs = {**trainer_kwargs}
    kwargs.pop("processing_class")
    if loss.teacher == "local":
        teacher = load_teacher()
        student_size = kwargs["model"].config.get_text_config().vocab_size
        teacher_size = teacher.config.get_text_config().vocab_size
        if student_size != teacher_size:
            raise ConfigError(f"the teacher's embedding has {teacher_size} rows and the student's {student_size}: "
                              f"TRL's on-policy loss compares the full distributions, so both must have the same size "
                              f"(the tokenizers match: {vocabulary} tokens)")
        config = DistillationConfig(**common_arguments, **settings)
        log(f"on-policy distillation: the student samples up to {loss.max_new_tokens} tokens per prompt, the local "
            f"teacher scores them (beta {loss.beta}, temperature {loss.temperature})")
        return LocalTeacherTrainer(**kwargs, teacher_model=teacher, args=config, processing_class=tokenizer,
                                   usage=usage)

    from trl.experimental.server_distillation import ServerDistillationConfig

    if loss.temperature != 1.0:
        raise ConfigError("'loss.temperature' must be 1 with a served teacher: vLLM scores prompt tokens from its raw "
                          "logits, so a student softened by another temperature would be compared with an unsoftened "
                          "teacher")
    server = teacher_server_from_environment()
    client = CompletionsTeacher(server.url, server.api_key, server.model, usage)
    config = ServerDistillationConfig(**common_arguments, **settings, teacher_model_server_url=server.url,
                                      loss_top_k=loss.top_k, loss_add_tail=True)
    log(f"on-policy distillation: the student samples up to {loss.max_new_tokens} tokens per prompt, the teacher "
        f"served at {server.url} scores them (top-{loss.top_k} prompt logprobs, beta {loss.beta})")
    return served_teacher_trainer(**kwargs, args=config, processing_class=tokenizer, teacher_client=client,
                                  usage=usage)


