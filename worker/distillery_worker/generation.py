"""Text generation backends for the server: a transformers + PEFT decode loop (any device) and vLLM (CUDA).

A backend turns `(model name, prompt token ids, sampling settings)` into a stream of text pieces followed by a
finish reason; the HTTP layer in serve.py only formats them.
"""

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import torch

from .events import ModelLoadError, log
from .modeling import load_causal_lm, load_tokenizer

REPLACEMENT_CHARACTER = "\ufffd"  # what decode gives for a UTF-8 sequence cut mid-character


@dataclass
class Sampling:
    max_tokens: int = 256
    temperature: float = 1.0
    top_p: float = 1.0
    seed: int | None = None
    stop: list[str] = field(default_factory=list)


@dataclass
class Finish:
    reason: str  # "stop" or "length"
    prompt_tokens: int
    completion_tokens: int


class StopScanner:
    """Releases generated text as soon as it cannot be the start of a stop string, and finds stop strings."""

    def __init__(self, stop: list[str]):
        self.stop = [item for item in stop if item]
        self.hold_back = max((len(item) for item in self.stop), default=1) - 1
        self.released = 0

    def feed(self, text: str) -> tuple[str, bool]:
        """Given the whole text so far, return `(new text to release, stopped)`."""
        positions = [text.find(item) for item in self.stop]
        hits = [position for position in positions if position >= 0]
        if hits:
            piece = text[self.released:min(hits)]
            self.released = min(hits)
            return piece, True
        if text.endswith(REPLACEMENT_CHARACTER):
            return "", False  # wait for the rest of the character
        safe_end = max(self.released, len(text) - self.hold_back)
        piece = text[self.released:safe_end]
        self.released = safe_end
        return piece, False

    def flush(self, text: str) -> str:
        piece = text[self.released:]
        self.released = len(text)
        return piece


def choose_token(logits: torch.Tensor, sampling: Sampling, generator: torch.Generator | None) -> int:
    if sampling.temperature <= 0:
        return int(torch.argmax(logits))
    probabilities = torch.softmax(logits.float().cpu() / sampling.temperature, dim=-1)
    if sampling.top_p < 1.0:
        sorted_probabilities, order = torch.sort(probabilities, descending=True)
        cumulative = torch.cumsum(sorted_probabilities, dim=-1)
        # Keep the smallest set whose mass reaches top_p (the first token always stays).
        outside = cumulative - sorted_probabilities > sampling.top_p
        sorted_probabilities[outside] = 0.0
        probabilities = torch.zeros_like(probabilities).scatter(0, order, sorted_probabilities)
    return int(torch.multinomial(probabilities, 1, generator=generator))


class TransformersBackend:
    """Serves a base model and any number of LoRA adapters from one PEFT-wrapped model.

    Generation holds a lock: the active adapter is model-wide state and CPU decoding gains nothing from overlap.
    """

    name = "transformers"

    def __init__(self, model_path: str, adapters: dict[str, str], device: str, trust_remote_code: bool = False):
        self.device = device
        self.tokenizer = load_tokenizer(model_path, trust_remote_code)
        dtype = torch.bfloat16 if device == "cuda" else torch.float32
        model = load_causal_lm(model_path, dtype, trust_remote_code).to(device)
        # PEFT adapter names become module keys and may not contain dots, so served names map to internal keys.
        self.adapter_keys = {name: f"adapter_{index}" for index, name in enumerate(adapters)}
        for name, adapter_dir in adapters.items():
            model = self._attach_adapter(model, self.adapter_keys[name], adapter_dir)
        self.model = model.eval()
        self.lock = threading.Lock()
        self.stop_token_ids = self._stop_token_ids()

    @staticmethod
    def _attach_adapter(model, key: str, adapter_dir: str):
        from peft import PeftModel

        if not os.path.isfile(os.path.join(adapter_dir, "adapter_config.json")):
            raise ModelLoadError(f"no adapter_config.json in '{adapter_dir}'")
        try:
            if isinstance(model, PeftModel):
                model.load_adapter(adapter_dir, adapter_name=key)
                return model
            return PeftModel.from_pretrained(model, adapter_dir, adapter_name=key)
        except Exception as error:  # noqa: BLE001
            raise ModelLoadError(f"cannot load adapter '{adapter_dir}': {error}") from error

    def _stop_token_ids(self) -> set[int]:
        ids = set()
        configured = getattr(self.model.generation_config, "eos_token_id", None)
        if isinstance(configured, int):
            ids.add(configured)
        elif configured:
            ids.update(configured)
        if self.tokenizer.eos_token_id is not None:
            ids.add(self.tokenizer.eos_token_id)
        return ids

    def generate(self, adapter: str | None, prompt_ids: list[int], sampling: Sampling) -> Iterator[str | Finish]:
        with self.lock:
            yield from self._generate_locked(adapter, prompt_ids, sampling)

    def _generate_locked(self, adapter, prompt_ids, sampling):
        generator = torch.Generator().manual_seed(sampling.seed) if sampling.seed is not None else None
        scanner = StopScanner(sampling.stop)
        generated: list[int] = []
        text, reason, stopped_by_string = "", "length", False
        completion_tokens = 0
        with self._adapter_context(adapter), torch.inference_mode():
            outputs = self.model(input_ids=torch.tensor([prompt_ids], device=self.device), use_cache=True)
            for _ in range(sampling.max_tokens):
                token = choose_token(outputs.logits[0, -1], sampling, generator)
                if token in self.stop_token_ids:
                    reason = "stop"
                    completion_tokens += 1  # the end-of-turn token was generated too (as vLLM counts it)
                    break
                generated.append(token)
                completion_tokens += 1
                text = self.tokenizer.decode(generated, skip_special_tokens=True, clean_up_tokenization_spaces=False)
                piece, stopped_by_string = scanner.feed(text)
                if piece:
                    yield piece
                if stopped_by_string:
                    reason = "stop"
                    break
                outputs = self.model(input_ids=torch.tensor([[token]], device=self.device),
                                     past_key_values=outputs.past_key_values, use_cache=True)
        if not stopped_by_string:
            piece = scanner.flush(text)  # text held back in case it began a stop string
            if piece:
                yield piece
        yield Finish(reason, len(prompt_ids), completion_tokens)

    def _adapter_context(self, adapter: str | None):
        import contextlib

        from peft import PeftModel

        if not isinstance(self.model, PeftModel):
            return contextlib.nullcontext()
        if adapter is None:
            return self.model.disable_adapter()
        self.model.set_adapter(self.adapter_keys[adapter])
        return contextlib.nullcontext()


class VllmBackend:
    """vLLM engine for CUDA hosts (used when `vllm` imports). Not exercised by the CPU test suite.

    Generation is not streamed token by token: the whole completion is produced, then sent as one piece.
    """

    name = "vllm"

    def __init__(self, model_path: str, adapters: dict[str, str], trust_remote_code: bool = False):
        from vllm import LLM
        from vllm.lora.request import LoRARequest

        self.tokenizer = load_tokenizer(model_path, trust_remote_code)
        self.engine = LLM(model=model_path, enable_lora=bool(adapters), trust_remote_code=trust_remote_code,
                          max_lora_rank=64)
        self.lora_requests = {name: LoRARequest(name, index + 1, path)
                              for index, (name, path) in enumerate(adapters.items())}
        self.lock = threading.Lock()  # LLM.generate is not thread-safe; it batches internally per call

    def generate(self, adapter, prompt_ids, sampling):
        from vllm import SamplingParams

        params = SamplingParams(max_tokens=sampling.max_tokens, temperature=sampling.temperature,
                                top_p=sampling.top_p, seed=sampling.seed, stop=sampling.stop or None)
        with self.lock:
            result = self.engine.generate({"prompt_token_ids": prompt_ids}, params,
                                          lora_request=self.lora_requests.get(adapter), use_tqdm=False)[0]
        completion = result.outputs[0]
        if completion.text:
            yield completion.text
        reason = "length" if completion.finish_reason == "length" else "stop"
        yield Finish(reason, len(prompt_ids), len(completion.token_ids))


def create_backend(model_path: str, adapters: dict[str, str], device: str, trust_remote_code: bool = False):
    if device == "cuda" and os.environ.get("DISTILLERY_DISABLE_VLLM") != "1":
        try:
            import vllm  # noqa: F401
        except ImportError:
            pass
        else:
            log("vllm found: serving with vLLM")
            return VllmBackend(model_path, adapters, trust_remote_code)
    return TransformersBackend(model_path, adapters, device, trust_remote_code)
