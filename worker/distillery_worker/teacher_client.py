"""A served teacher scores token sequences through vLLM's OpenAI-compatible `/v1/completions`.

The request gives the prompt as token ids with `prompt_logprobs: k` and `max_tokens: 1`; vLLM answers, per prompt
position, the log-probs of the token actually there and of its top k (`{"<id>": {"logprob", "rank", ...}}`, `null` for
the first position). `get_sequence_logprobs` returns what TRL's `ServerDistillationTrainer` expects of its
`teacher_client` (the same shapes as `trl.generation.vllm_client.VLLMClient.get_sequence_logprobs`).

Distillery starts the server (src/engines/vllm.ts) on 127.0.0.1 with a fresh API key and hands URL, key and served
name to the worker in its environment (never in the job file).
"""

import json
import math
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from .events import ConfigError, TrainingError

URL_VARIABLE = "DISTILLERY_TEACHER_URL"
KEY_VARIABLE = "DISTILLERY_TEACHER_API_KEY"
MODEL_VARIABLE = "DISTILLERY_TEACHER_MODEL"
_RETRYABLE = (408, 409, 429, 500, 502, 503, 504)


class TeacherError(TrainingError):
    """The teacher server failed or answered something that is not prompt logprobs (reported as TrainingError)."""


@dataclass
class TeacherServer:
    url: str
    api_key: str
    model: str


def teacher_server_from_environment(environment=None) -> TeacherServer:
    environment = os.environ if environment is None else environment
    missing = [name for name in (URL_VARIABLE, MODEL_VARIABLE) if not environment.get(name)]
    if missing:
        raise ConfigError(f"'loss.teacher': 'served' needs the teacher server in the environment ({', '.join(missing)} "
                          f"unset); `distillery train` starts it and sets them")
    return TeacherServer(environment[URL_VARIABLE].rstrip("/"), environment.get(KEY_VARIABLE, ""),
                         environment[MODEL_VARIABLE])


def format_sequence(prompt_logprobs: list, sequence: list[int], prompt_length: int, top_k: int) -> dict:
    """The completion part (positions ≥ `prompt_length`) of one choice's `prompt_logprobs`: top-k by rank, padded
    with -inf / id 0 to k, and the log-prob of the token actually there."""
    if not isinstance(prompt_logprobs, list) or len(prompt_logprobs) != len(sequence):
        got = len(prompt_logprobs) if isinstance(prompt_logprobs, list) else type(prompt_logprobs).__name__
        raise TeacherError(f"the teacher returned prompt_logprobs for {got} positions of a {len(sequence)}-token "
                           f"sequence")
    result = {"logprobs": [], "logprob_token_ids": [], "actual_logprobs": [], "actual_token_ids": []}
    for position in range(prompt_length, len(sequence)):
        entries = prompt_logprobs[position]
        if not isinstance(entries, dict) or not entries:
            raise TeacherError(f"the teacher returned no log-probs at position {position}")
        try:
            ranked = sorted(((int(token), float(item["logprob"]), item.get("rank") or 0) for token, item in entries.items()),
                            key=lambda entry: (entry[2] if entry[2] > 0 else math.inf, -entry[1]))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise TeacherError(f"the teacher's log-probs at position {position} are malformed ({error})") from error
        # The token actually there is always listed; it is among the top k only when its rank says so.
        top = [entry for entry in ranked if 0 < entry[2] <= top_k][:top_k]
        values = [-math.inf if math.isnan(logprob) else logprob for _, logprob, _ in top]
        result["logprobs"].append(values + [-math.inf] * (top_k - len(values)))
        result["logprob_token_ids"].append([token for token, _, _ in top] + [0] * (top_k - len(top)))
        actual = next((logprob for token, logprob, _ in ranked if token == sequence[position]), None)
        if actual is None or math.isnan(actual):
            raise TeacherError(f"the teacher did not score the token at position {position} ({sequence[position]})")
        result["actual_logprobs"].append([actual])
        result["actual_token_ids"].append([sequence[position]])
    return result


class CompletionsTeacher:
    """`teacher_client` for TRL's server trainer over an OpenAI-compatible vLLM server; counts calls and tokens."""

    def __init__(self, base_url: str, api_key: str, model: str, usage, timeout: float = 600.0, attempts: int = 4):
        self.base_url = base_url.rstrip("/")
        self.api_key, self.model, self.usage = api_key, model, usage
        self.timeout, self.attempts = timeout, attempts

    def get_sequence_logprobs(self, sequences: list[list[int]], prompt_lengths: list[int], top_logprobs: int = 1,
                              temperature: float = 1.0) -> dict[str, list]:
        if len(sequences) != len(prompt_lengths):
            raise ValueError("one prompt length per sequence")
        started = time.monotonic()
        body = {"model": self.model, "prompt": sequences, "max_tokens": 1, "temperature": temperature,
                "prompt_logprobs": top_logprobs}
        choices = self._post("/completions", body).get("choices")
        if not isinstance(choices, list) or len(choices) != len(sequences):
            raise TeacherError(f"the teacher answered {len(choices) if isinstance(choices, list) else 'no'} choices "
                               f"for {len(sequences)} sequences")
        choices = sorted(choices, key=lambda choice: choice.get("index", 0))
        rows = [format_sequence(choice.get("prompt_logprobs"), sequence, length, top_logprobs)
                for choice, sequence, length in zip(choices, sequences, prompt_lengths)]
        self.usage.add(1, sum(len(sequence) - length for sequence, length in zip(sequences, prompt_lengths)),
                       time.monotonic() - started)
        return {key: [row[key] for row in rows] for key in rows[0]} if rows else {}

    def _post(self, path: str, body: dict) -> dict:
        data = json.dumps(body).encode()
        headers = {"content-type": "application/json"}
        if self.api_key:
            headers["authorization"] = f"Bearer {self.api_key}"
        last = ""
        for attempt in range(self.attempts):
            request = urllib.request.Request(self.base_url + path, data=data, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.loads(response.read())
            except urllib.error.HTTPError as error:
                last = f"HTTP {error.code}: {error.read()[:500].decode(errors='replace')}"
                if error.code not in _RETRYABLE:
                    break
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                last = str(error)
            except json.JSONDecodeError as error:
                raise TeacherError(f"the teacher at {self.base_url} answered something that is not JSON ({error})") from error
            time.sleep(min(2 ** attempt, 8))
        raise TeacherError(f"the teacher at {self.base_url} failed: {last}")
