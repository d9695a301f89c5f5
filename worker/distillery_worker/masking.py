"""Render conversations with the model's own chat template and mark the tokens training learns from.

The trained text of an assistant turn is what the model itself must generate after the prompt that serving
sends: `render(messages[:i], add_generation_prompt=True)` is that prompt, `render(messages[:i + 1])` the
finished turn, and the text between them (answer, end-of-turn token, and whatever the template adds such as
Qwen3's empty `<think>` block or gpt-oss's channel header) is the trained span. Every answer is thus found by
rendering conversation prefixes, never by diffing the whole conversation, which real templates break:

- Mistral puts the system prompt into the *last* user message, so an earlier turn's prompt is not a prefix of
  the whole conversation;
- Qwen3 / DeepSeek-R1 drop the `<think>` block of earlier turns, and gpt-oss ends earlier turns with `<|end|>`
  but the last one with `<|return|>`.

A turn whose rendering is a prefix of the whole conversation is trained inside the one sequence of the whole
conversation; any other turn becomes a sequence of its own (prompt as serving renders it + its answer), so no
turn is trained on a context serving never shows. Each segment is tokenized on its own, so a row's prompt
tokens are exactly the tokens serving sends. A template whose generation prompt is not how it starts a
finished answer cannot be trained to match serving: that is an error naming the template.
"""

import json
import os
from dataclasses import dataclass

from .events import ConfigError, DataError

IGNORE_INDEX = -100
_SENTINEL = "DISTILLERYSENTINEL"


class TemplateError(DataError):
    """The chat template rejects a conversation or cannot be masked so that training matches serving."""


class PrefixError(ConfigError):
    """The assistant prefix is not rendered verbatim by the chat template."""


def template_name(tokenizer) -> str:
    return os.path.basename(os.path.normpath(tokenizer.name_or_path or "")) or "the tokenizer"


def render(tokenizer, messages: list[dict], **kwargs) -> str:
    try:
        return tokenizer.apply_chat_template(messages, tokenize=False, **kwargs)
    except Exception as error:  # noqa: BLE001 - jinja's raise_exception and render errors alike
        raise TemplateError(f"the chat template of {template_name(tokenizer)} rejects this conversation: "
                            f"{error}") from error


@dataclass
class Segment:
    text: str
    trained: bool


def end_of_turn_tokens(tokenizer) -> list[str]:
    """The texts of the tokens generation stops at: the tokenizer's EOS and the model's generation EOS ids."""
    tokens = [tokenizer.eos_token] if tokenizer.eos_token else []
    configured = None
    path = os.path.join(tokenizer.name_or_path or "", "generation_config.json")
    if os.path.isfile(path):  # a hub id is not looked up: the tokenizer's EOS is then all we know
        with open(path, encoding="utf-8") as handle:
            configured = json.load(handle).get("eos_token_id")
    ids = [configured] if isinstance(configured, int) else list(configured or [])
    tokens += [tokenizer.convert_ids_to_tokens(token_id) for token_id in ids]
    return [token for token in dict.fromkeys(tokens) if token]


def _finished_turn(tokenizer, messages: list[dict], index: int, stop_tokens: list[str]) -> tuple[str, int, int]:
    """`(text, start, end)`: the prompt serving sends for turn `index` followed by the turn as the template
    renders a finished answer, and the span of that answer (up to and including its end-of-turn token)."""
    prompt = render(tokenizer, messages[:index], add_generation_prompt=True) if index else ""
    finished = render(tokenizer, messages[: index + 1])
    if finished.startswith(prompt):
        text, start = finished, len(prompt)
    else:
        # The template renders earlier messages differently once the answer exists (Mistral Nemo moves the system
        # prompt into the last user message, which then is no longer last; DeepSeek-R1 drops the generation
        # prompt's think block). Train the answer after the prompt serving sends, provided both renderings close
        # the message before the answer the same way (the prompt may add generation-only text after that).
        content, before = messages[index]["content"], messages[index - 1]["content"] if index else ""
        at = finished.rfind(content) if content else -1
        in_finished = finished.rfind(before, 0, at) if before and at >= 0 else -1
        in_prompt = prompt.rfind(before) if before else -1
        if in_finished < 0 or in_prompt < 0 or \
                not prompt[in_prompt + len(before):].startswith(finished[in_finished + len(before):at]):
            seam = _common_prefix_length(prompt, finished)
            raise TemplateError(
                f"the chat template of {template_name(tokenizer)} cannot be masked: its generation prompt ends "
                f"{prompt[seam:][-60:]!r} but it renders a finished answer as {finished[seam:][:60]!r}; training on "
                "it would teach a prompt that serving never sends")
        text, start = prompt + finished[at:], len(prompt)
    # Whitespace a template puts after the end-of-turn token is layout, not something to learn; anything after
    # the end-of-turn token (Phi-3.5 appends EOS after <|end|>) is never generated.
    end = len(text.rstrip())
    stops = [text.find(token, start) + len(token) for token in stop_tokens if text.find(token, start) >= 0]
    return text, start, min([end, *stops])


def _common_prefix_length(left: str, right: str) -> int:
    length = 0
    for a, b in zip(left, right):
        if a != b:
            break
        length += 1
    return length


# How split rows carry a teacher's trace (split.include_reasoning): the OpenAI-compatible servers' field name.
REASONING_KEY = "reasoning_content"
# Assistant fields real templates render a trace from: Qwen3 / Qwen3.5 read reasoning_content (and transformers
# hands it to gpt-oss's template as its analysis channel); a template may read thinking instead.
_REASONING_FIELDS = ("reasoning_content", "thinking")
_reasoning_fields: dict[str, str | None] = {}


def reasoning_field(tokenizer) -> str | None:
    """The assistant-message field this chat template renders a reasoning trace from, or None (found by rendering)."""
    template = str(tokenizer.chat_template)
    if template not in _reasoning_fields:
        found = None
        for field in _REASONING_FIELDS:
            probe = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a", field: _SENTINEL}]
            try:
                rendered = render(tokenizer, probe)
            except TemplateError:
                continue
            if _SENTINEL in rendered:
                found = field
                break
        _reasoning_fields[template] = found
    return _reasoning_fields[template]


def place_reasoning(tokenizer, messages: list[dict]) -> list[dict]:
    """Assistant turns whose `reasoning_content` holds a trace, rewritten the way the student's template expects:
    in the field it renders (so its own layout applies, e.g. Qwen3's `<think>\n…\n</think>\n\n`), otherwise
    inline as a `<think>` block before the answer. The trace is then part of the finished turn, hence trained.
    A template that renders neither (DeepSeek-R1 cuts everything before `</think>` from the content) is an error:
    silently training on the answer alone is not what include_reasoning asks."""
    if not any(REASONING_KEY in message for message in messages):
        return messages
    field = reasoning_field(tokenizer)
    placed = []
    for message in messages:
        trace = message.get(REASONING_KEY)
        message = {key: value for key, value in message.items() if key != REASONING_KEY}
        if isinstance(trace, str) and trace.strip() and message["role"] == "assistant":
            trace = trace.strip("\n")
            if field is not None:
                message[field] = trace
            else:
                message["content"] = f"<think>\n{trace}\n</think>\n\n{message['content'].lstrip(chr(10))}"
                if trace not in render(tokenizer, [*placed, message]):
                    raise TemplateError(
                        f"the chat template of {template_name(tokenizer)} drops reasoning from assistant turns (it "
                        "renders no reasoning_content or thinking field and cuts the <think> block from the content), "
                        "so split.include_reasoning: true cannot train the trace; use a student whose template keeps "
                        "it, or include_reasoning: false")
        placed.append(message)
    return placed


def training_sequences(tokenizer, messages: list[dict], assistant_prefix: str = "") -> list[list[Segment]]:
    """Split a conversation into sequences of text segments, each marked trained or not (see module doc)."""
    messages = place_reasoning(tokenizer, messages)
    last = max(index for index, message in enumerate(messages) if message["role"] == "assistant")
    messages = messages[: last + 1]  # messages after the last answer teach nothing
    if assistant_prefix:
        check_assistant_prefix(tokenizer, messages[:last], messages[last]["content"], assistant_prefix)
    whole = render(tokenizer, messages)
    stop_tokens = end_of_turn_tokens(tokenizer)
    in_whole: list[tuple[int, int]] = []
    sequences: list[list[Segment]] = []
    for index, message in enumerate(messages):
        if message["role"] != "assistant":
            continue
        text, start, end = _finished_turn(tokenizer, messages, index, stop_tokens)
        if end <= start:
            continue
        if whole.startswith(text[:end]):
            in_whole.append((start, end))
        else:
            sequences.append(_segments(text[:end], [(start, end)]))
    if in_whole:
        sequences.append(_segments(whole, in_whole))
    return sequences


def _segments(text: str, spans: list[tuple[int, int]]) -> list[Segment]:
    segments, position = [], 0
    for start, end in spans:
        if start > position:
            segments.append(Segment(text[position:start], False))
        segments.append(Segment(text[start:end], True))
        position = end
    if position < len(text):
        segments.append(Segment(text[position:], False))
    return segments


def encode(tokenizer, text: str) -> list[int]:
    # As apply_chat_template(tokenize=True) does: the template itself writes BOS where the model wants one.
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])


def tokenize_segments(tokenizer, segments: list[Segment]) -> tuple[list[int], list[int]]:
    """`(input_ids, mask)`; each segment is tokenized on its own so prompts tokenize exactly as served."""
    input_ids, mask = [], []
    for segment in segments:
        ids = encode(tokenizer, segment.text)
        input_ids += ids
        mask += [1 if segment.trained else 0] * len(ids)
    return input_ids, mask


def assistant_mask(tokenizer, messages: list[dict], assistant_prefix: str = "") -> list[tuple[list[int], list[int]]]:
    """`(input_ids, mask)` of every training sequence of a conversation, mask 1 on trained tokens."""
    return [tokenize_segments(tokenizer, segments)
            for segments in training_sequences(tokenizer, messages, assistant_prefix)]


def tokenize_conversation(tokenizer, messages: list[dict], max_length: int,
                          assistant_prefix: str = "") -> list[tuple[list[int], list[int]]]:
    """`(input_ids, labels)` per sequence, truncated to `max_length`; labels are -100 outside trained spans."""
    rows = []
    for input_ids, mask in assistant_mask(tokenizer, messages, assistant_prefix):
        input_ids, mask = input_ids[:max_length], mask[:max_length]
        rows.append((input_ids, [token if keep else IGNORE_INDEX for token, keep in zip(input_ids, mask)]))
    return rows


def rendered_prefix(tokenizer, history: list[dict], prefix: str) -> str:
    """How the template renders an answer that starts with `prefix`, up to where the rest of the answer begins."""
    prompt = render(tokenizer, history, add_generation_prompt=True)
    finished = render(tokenizer, [*history, {"role": "assistant", "content": prefix + _SENTINEL}])
    start = _common_prefix_length(prompt, finished)
    end = finished.find(_SENTINEL, start)
    return finished[start: end if end >= 0 else len(finished)]


def check_assistant_prefix(tokenizer, history: list[dict], answer: str, prefix: str) -> None:
    """The prefix serving sends must be the text training trains on: the template has to keep it verbatim."""
    if not answer.startswith(prefix):
        raise DataError(f"an answer does not start with the assistant prefix {prefix!r}: {answer[:60]!r}")
    rendered = rendered_prefix(tokenizer, history, prefix)
    if rendered != prefix:
        raise PrefixError(
            f"assistant prefix {prefix!r} is re-rendered by the chat template of {template_name(tokenizer)} as "
            f"{rendered!r}, so serving would send a prefix that training never saw; set student.assistant_prefix "
            f"to {rendered!r}")


def generation_prompt(tokenizer, messages: list[dict], add_generation_prompt: bool,
                      continue_final_message: bool) -> str:
    """The prompt text serving sends: the same rendering training used for the text before an answer."""
    if not continue_final_message:
        return render(tokenizer, messages, add_generation_prompt=add_generation_prompt)
    history, prefix = messages[:-1], messages[-1]["content"]
    if prefix:
        check_assistant_prefix(tokenizer, history, prefix, prefix)
    return render(tokenizer, history, add_generation_prompt=True) + prefix


def encode_chat(tokenizer, messages: list[dict], add_generation_prompt: bool, continue_final_message: bool) -> list[int]:
    """The prompt token ids serving sends (both backends): tokenized exactly as training tokenizes a prompt."""
    return encode(tokenizer, generation_prompt(tokenizer, messages, add_generation_prompt, continue_final_message))
