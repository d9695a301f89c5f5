"""The served teacher: prompt logprobs from an OpenAI-compatible `/v1/completions` (vLLM's format), TRL's sparse
server loss over them against a reference, and on-policy training through it.

The fake server answers as vLLM does (`prompt_logprobs`: `null` for the first position, then per position the top-k
and the token actually there, `{"<id>": {"logprob", "rank", "decoded_token"}}`), from a real tiny teacher's logits.
"""

import json
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import torch

from conftest import memorize_rows, run_job, write_jsonl
from test_on_policy import held_out_kl, on_policy_job

API_KEY = "test-key"


class FakeVllm:
    """`/v1/completions` with `prompt_logprobs`, computed from `model`; records the requests."""

    def __init__(self, model, fail_first: int = 0):
        self.model, self.requests, self.fail_first = model.eval(), [], fail_first
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                fake.requests.append({"path": self.path, "authorization": self.headers.get("authorization"), **body})
                if fake.fail_first > 0:
                    fake.fail_first -= 1
                    return self._send(503, {"error": {"message": "busy"}})
                if self.headers.get("authorization") != f"Bearer {API_KEY}":
                    return self._send(401, {"error": {"message": "Unauthorized"}})
                choices = [{"index": index, "text": "x", "logprobs": None, "finish_reason": "length",
                            "prompt_logprobs": fake.prompt_logprobs(prompt, body["prompt_logprobs"])}
                           for index, prompt in enumerate(body["prompt"])]
                self._send(200, {"id": "cmpl-1", "object": "text_completion", "model": body["model"],
                                 "choices": choices})

            def _send(self, status, value):
                data = json.dumps(value).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @torch.no_grad()
    def prompt_logprobs(self, sequence: list[int], k: int) -> list:
        log_probs = torch.log_softmax(self.model(input_ids=torch.tensor([sequence])).logits[0].float(), dim=-1)
        result = [None]
        for position in range(1, len(sequence)):
            row = log_probs[position - 1]
            ranks = torch.argsort(row, descending=True)
            entries = {str(int(token)): {"logprob": float(row[token]), "rank": rank + 1, "decoded_token": "t"}
                       for rank, token in enumerate(ranks[:k].tolist())}
            actual = sequence[position]
            rank = int((ranks == actual).nonzero()[0, 0]) + 1
            entries[str(actual)] = {"logprob": float(row[actual]), "rank": rank, "decoded_token": "t"}
            result.append(entries)
        return result

    def close(self):
        self.server.shutdown()


@pytest.fixture(scope="module")
def teacher(trained_full):
    from distillery_worker.modeling import load_causal_lm

    return load_causal_lm(trained_full["summary"]["model_dir"], torch.float32, False)


@pytest.fixture
def fake_vllm(teacher):
    server = FakeVllm(teacher)
    yield server
    server.close()


def client_for(server, **kwargs):
    from distillery_worker.on_policy import TeacherUsage
    from distillery_worker.teacher_client import CompletionsTeacher

    return CompletionsTeacher(server.url, API_KEY, "teacher", TeacherUsage(), **kwargs)


SEQUENCES = [[3, 17, 40, 41, 9, 12], [5, 6, 7, 30, 31]]
PROMPT_LENGTHS = [3, 2]


@pytest.mark.parametrize("top_k", [1, 3])
def test_sequence_logprobs_are_the_teachers_own(teacher, fake_vllm, top_k):
    client = client_for(fake_vllm)
    result = client.get_sequence_logprobs(SEQUENCES, PROMPT_LENGTHS, top_logprobs=top_k)
    request = fake_vllm.requests[-1]
    assert request["path"] == "/v1/completions" and request["authorization"] == f"Bearer {API_KEY}"
    assert request["prompt"] == SEQUENCES and request["max_tokens"] == 1 and request["prompt_logprobs"] == top_k
    for row, (sequence, length) in enumerate(zip(SEQUENCES, PROMPT_LENGTHS)):
        with torch.no_grad():
            reference = torch.log_softmax(teacher(input_ids=torch.tensor([sequence])).logits[0], dim=-1)
        assert len(result["actual_logprobs"][row]) == len(sequence) - length
        for step, position in enumerate(range(length, len(sequence))):
            expected = reference[position - 1]
            assert result["actual_logprobs"][row][step][0] == pytest.approx(float(expected[sequence[position]]), abs=1e-5)
            values, ids = torch.topk(expected, top_k)
            assert result["logprob_token_ids"][row][step] == ids.tolist()
            assert result["logprobs"][row][step] == pytest.approx(values.tolist(), abs=1e-5)
    assert (client.usage.calls, client.usage.tokens) == (1, 3 + 3)


def test_busy_server_is_retried_and_bad_answers_are_named(teacher):
    from distillery_worker.teacher_client import TeacherError, format_sequence

    server = FakeVllm(teacher, fail_first=1)
    try:
        client = client_for(server)
        client.attempts = 2
        assert len(client.get_sequence_logprobs(SEQUENCES, PROMPT_LENGTHS)["actual_logprobs"]) == 2
        assert len(server.requests) == 2
        with pytest.raises(TeacherError, match="HTTP 401"):
            client_for(server).__class__(server.url, "wrong", "teacher", client.usage).get_sequence_logprobs(
                SEQUENCES, PROMPT_LENGTHS)
    finally:
        server.close()
    with pytest.raises(TeacherError, match="for 2 positions of a 3-token sequence"):
        format_sequence([None, {"4": {"logprob": -1.0, "rank": 1}}], [1, 4, 5], 1, 1)
    with pytest.raises(TeacherError, match="did not score the token at position 1"):
        format_sequence([None, {"4": {"logprob": -1.0, "rank": 1}}], [1, 7], 1, 1)


def reference_sparse_reverse_kl(student_log_probs, teacher_actual, tokens, mask) -> float:
    """Reverse KL over {sampled token, everything else}, per completion token, in plain floats."""
    total, count = 0.0, 0
    for row in range(tokens.shape[0]):
        for step in range(tokens.shape[1]):
            if not mask[row, step]:
                continue
            p = math.exp(float(student_log_probs[row, step, tokens[row, step]]))
            q = math.exp(float(teacher_actual[row, step]))
            total += p * math.log(p / q) + (1 - p) * math.log((1 - p) / (1 - q))
            count += 1
    return total / count


def test_the_server_loss_over_these_logprobs_equals_the_reference(fake_vllm):
    """TRL's sparse top-1 reverse KL (beta 1, with the tail bucket) over our client's answers, against a reference."""
    from trl.experimental.server_distillation import ServerDistillationTrainer

    client = client_for(fake_vllm)
    result = client.get_sequence_logprobs(SEQUENCES, PROMPT_LENGTHS, top_logprobs=1)
    width = max(len(sequence) - length for sequence, length in zip(SEQUENCES, PROMPT_LENGTHS))
    tokens = torch.zeros((2, width), dtype=torch.long)
    actual = torch.zeros((2, width))
    mask = torch.zeros((2, width), dtype=torch.bool)
    for row, (sequence, length) in enumerate(zip(SEQUENCES, PROMPT_LENGTHS)):
        completion = sequence[length:]
        tokens[row, :len(completion)] = torch.tensor(completion)
        actual[row, :len(completion)] = torch.tensor([value[0] for value in result["actual_logprobs"][row]])
        mask[row, :len(completion)] = True
    # A student sure of some sampled tokens and unsure of others, so the divergence is far from zero.
    logits = torch.randn((2, width, 512), generator=torch.Generator().manual_seed(0))
    logits.scatter_add_(-1, tokens.unsqueeze(-1), torch.tensor([[6.0, 0.0, 3.0, 8.0], [1.0, 7.0, 0.0, 0.0]]).unsqueeze(-1))
    student_log_probs = torch.log_softmax(logits, -1)
    labels = torch.where(mask, tokens, torch.full_like(tokens, -100))

    class Settings:
        beta, loss_add_tail = 1.0, True
        _reduce_divergence_loss = staticmethod(ServerDistillationTrainer._reduce_divergence_loss)

    loss = ServerDistillationTrainer._compute_sparse_top_1_divergence_loss(
        Settings(), student_log_probs, tokens, actual, tokens, actual, labels)
    expected = reference_sparse_reverse_kl(student_log_probs, actual, tokens, mask)
    assert loss.item() == pytest.approx(expected, rel=1e-4)
    assert expected > 0.1


def test_on_policy_with_a_served_teacher_pulls_the_student_to_it(tiny_model, tiny_tokenizer, trained_full, fake_vllm,
                                                                tmp_path, monkeypatch):
    from distillery_worker.on_policy import prompt_ids

    teacher_dir = trained_full["summary"]["model_dir"]
    monkeypatch.setenv("DISTILLERY_TEACHER_URL", fake_vllm.url)
    monkeypatch.setenv("DISTILLERY_TEACHER_API_KEY", API_KEY)
    monkeypatch.setenv("DISTILLERY_TEACHER_MODEL", "teacher")
    before = held_out_kl(tiny_model, teacher_dir, tmp_path)
    summary, collected = run_job(on_policy_job(tiny_model, teacher_dir, tmp_path, "served", teacher="served"))
    after = held_out_kl(summary["model_dir"], teacher_dir, tmp_path)
    print(f"held-out reverse KL, served teacher: untrained {before:.3f}, trained {after:.3f}")
    assert after < 0.5 * before, (before, after)
    # One request per training step and per validation batch, each scoring the student's sampled tokens.
    assert summary["teacher_calls"] == len(fake_vllm.requests) == 12 + 6
    prompts = [prompt_ids(tiny_tokenizer, row["messages"], 64, "") for row in memorize_rows(range(20))]
    scored = sum(len(sequence) - max(len(prompt) for prompt in prompts if sequence[:len(prompt)] == prompt)
                 for request in fake_vllm.requests for sequence in request["prompt"])
    assert summary["teacher_tokens"] == scored > 0
    # beta defaults to 0 with a served teacher: a forward KL over the teacher's top 20 (and the tail).
    assert all(request["prompt_logprobs"] == 20 and request["model"] == "teacher" for request in fake_vllm.requests)


def test_a_served_teacher_needs_its_server(tiny_model, trained_full, tmp_path, monkeypatch):
    from distillery_worker.events import ConfigError

    monkeypatch.delenv("DISTILLERY_TEACHER_URL", raising=False)
    job = on_policy_job(tiny_model, trained_full["summary"]["model_dir"], tmp_path, "no-server", teacher="served")
    with pytest.raises(ConfigError, match="DISTILLERY_TEACHER_URL"):
        run_job(job)
    job = on_policy_job(tiny_model, trained_full["summary"]["model_dir"], tmp_path, "hot", teacher="served",
                        temperature=2.0)
    monkeypatch.setenv("DISTILLERY_TEACHER_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("DISTILLERY_TEACHER_MODEL", "teacher")
    with pytest.raises(ConfigError, match="must be 1 with a served teacher"):
        run_job(job)
