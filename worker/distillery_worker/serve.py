"""`serve` command: OpenAI-compatible chat completions over a threaded stdlib HTTP server.

Endpoints: GET /v1/models, POST /v1/chat/completions (plain JSON or `stream: true` server-sent events),
GET /health. Prints `{"event": "ready", ...}` on stdout once listening; exits cleanly on SIGTERM.
"""

import json
import os
import signal
import threading
import time
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .events import ConfigError, emit, log
from .generation import Finish, Sampling, create_backend
from .masking import PrefixError, TemplateError, encode_chat
from .modeling import resolve_device

DEFAULT_MAX_TOKENS = 256


class RequestError(Exception):
    def __init__(self, status: HTTPStatus, message: str, error_type: str = "invalid_request_error",
                 code: str | None = None):
        super().__init__(message)
        self.status, self.message, self.error_type, self.code = status, message, error_type, code


def parse_adapter_arguments(values: list[str]) -> dict[str, str]:
    adapters = {}
    for value in values:
        name, separator, path = value.partition("=")
        if not separator or not name or not path:
            raise ConfigError(f"--adapter expects NAME=DIR, got '{value}'")
        if name in adapters:
            raise ConfigError(f"adapter name '{name}' is given twice")
        adapters[name] = path
    return adapters


def parse_sampling(body: dict) -> Sampling:
    def number(key, default, kind=float, minimum=None):
        value = body.get(key, default)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and value != int(value)):
            raise RequestError(HTTPStatus.BAD_REQUEST, f"'{key}' must be a {'integer' if kind is int else 'number'}")
        if minimum is not None and value < minimum:
            raise RequestError(HTTPStatus.BAD_REQUEST, f"'{key}' must be at least {minimum}")
        return kind(value)

    stop = body.get("stop") or []
    if isinstance(stop, str):
        stop = [stop]
    if not isinstance(stop, list) or not all(isinstance(item, str) for item in stop):
        raise RequestError(HTTPStatus.BAD_REQUEST, "'stop' must be a string or a list of strings")
    top_p = number("top_p", 1.0, minimum=0.0)
    if top_p > 1:
        raise RequestError(HTTPStatus.BAD_REQUEST, "'top_p' must be at most 1")
    max_tokens_key = "max_completion_tokens" if body.get("max_completion_tokens") is not None else "max_tokens"
    return Sampling(
        max_tokens=number(max_tokens_key, DEFAULT_MAX_TOKENS, int, 1),
        temperature=number("temperature", 1.0, minimum=0.0),
        top_p=top_p,
        seed=number("seed", None, int),
        stop=stop,
    )


def parse_messages(body: dict) -> list[dict]:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RequestError(HTTPStatus.BAD_REQUEST, "'messages' must be a non-empty list")
    for message in messages:
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            raise RequestError(HTTPStatus.BAD_REQUEST, "each message needs a 'role'")
        content = message.get("content")
        if isinstance(content, list):  # OpenAI content parts: keep the text parts
            message["content"] = "".join(part.get("text", "") for part in content if isinstance(part, dict))
        elif not isinstance(content, str):
            raise RequestError(HTTPStatus.BAD_REQUEST, "each message needs a string 'content'")
    return messages


class ChatService:
    """Resolves model names, builds prompts and runs the backend; knows nothing of HTTP."""

    def __init__(self, backend, served_name: str, adapter_names: list[str], max_concurrency: int):
        self.backend = backend
        self.served_name = served_name
        self.adapter_names = adapter_names
        self.slots = threading.BoundedSemaphore(max_concurrency)  # requests in progress; the rest wait
        self.created = int(time.time())

    def model_names(self) -> list[str]:
        return [self.served_name, *self.adapter_names]

    def models_response(self) -> dict:
        return {"object": "list", "data": [
            {"id": name, "object": "model", "created": self.created, "owned_by": "distillery"}
            for name in self.model_names()
        ]}

    def prepare(self, body: dict):
        """Validate a chat request; return `(model name, adapter or None, prompt ids, sampling)`."""
        model = body.get("model") or self.served_name
        if model not in self.model_names():
            raise RequestError(HTTPStatus.NOT_FOUND, f"The model `{model}` does not exist.", "invalid_request_error",
                               "model_not_found")
        messages = parse_messages(body)
        sampling = parse_sampling(body)
        continue_final = bool(body.get("continue_final_message", False))
        add_generation_prompt = bool(body.get("add_generation_prompt", not continue_final))
        if continue_final and add_generation_prompt:
            raise RequestError(HTTPStatus.BAD_REQUEST,
                               "'continue_final_message' and 'add_generation_prompt' cannot both be true")
        if continue_final and messages[-1]["role"] != "assistant":
            raise RequestError(HTTPStatus.BAD_REQUEST, "'continue_final_message' needs a final assistant message")
        try:
            prompt_ids = encode_chat(self.backend.tokenizer, messages, add_generation_prompt, continue_final)
        except (PrefixError, TemplateError) as error:
            # A prefix the template re-renders, or a conversation it rejects: the client's to fix, not a 500.
            raise RequestError(HTTPStatus.BAD_REQUEST, str(error)) from error
        adapter = None if model == self.served_name else model
        return model, adapter, prompt_ids, sampling

    def generate(self, adapter, prompt_ids, sampling):
        with self.slots:
            yield from self.backend.generate(adapter, prompt_ids, sampling)


def _usage(finish: Finish) -> dict:
    return {"prompt_tokens": finish.prompt_tokens, "completion_tokens": finish.completion_tokens,
            "total_tokens": finish.prompt_tokens + finish.completion_tokens}


class ChatHandler(BaseHTTPRequestHandler):
    server_version = "distillery-worker"
    service: ChatService  # set on the subclass built by `make_server`

    def log_message(self, format, *args):  # noqa: A002 - signature from BaseHTTPRequestHandler
        log(f"{self.address_string()} {format % args}")

    def do_GET(self):
        if self.path.rstrip("/") == "/v1/models":
            self._send_json(HTTPStatus.OK, self.service.models_response())
        elif self.path.rstrip("/") == "/health":
            self._send_json(HTTPStatus.OK, {"status": "ok"})
        else:
            self._send_error(RequestError(HTTPStatus.NOT_FOUND, f"no route {self.path}", code="not_found"))

    def do_POST(self):
        try:
            if self.path.rstrip("/") != "/v1/chat/completions":
                raise RequestError(HTTPStatus.NOT_FOUND, f"no route {self.path}", code="not_found")
            body = self._read_json()
            model, adapter, prompt_ids, sampling = self.service.prepare(body)
            pieces = self.service.generate(adapter, prompt_ids, sampling)
            if body.get("stream"):
                self._stream(model, pieces, bool((body.get("stream_options") or {}).get("include_usage")))
            else:
                self._complete(model, pieces)
        except RequestError as error:
            self._send_error(error)
        except Exception as error:  # noqa: BLE001 - a failed request must not kill the server
            log(f"request failed: {error!r}")
            self._send_error(RequestError(HTTPStatus.INTERNAL_SERVER_ERROR, str(error), "server_error"))

    def _read_json(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"")
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise RequestError(HTTPStatus.BAD_REQUEST, f"request body is not valid JSON: {error}",
                               code="invalid_json") from error
        if not isinstance(body, dict):
            raise RequestError(HTTPStatus.BAD_REQUEST, "request body must be a JSON object")
        return body

    def _complete(self, model: str, pieces) -> None:
        text, finish = [], None
        for item in pieces:
            if isinstance(item, Finish):
                finish = item
            else:
                text.append(item)
        self._send_json(HTTPStatus.OK, {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "".join(text)},
                         "finish_reason": finish.reason}],
            "usage": _usage(finish),
        })

    def _stream(self, model: str, pieces, include_usage: bool) -> None:
        completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())

        def chunk(delta: dict, finish_reason=None, **extra) -> dict:
            return {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}], **extra}

        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        try:
            self._send_event(chunk({"role": "assistant", "content": ""}))
            for item in pieces:
                if isinstance(item, Finish):
                    # Usage rides on the final chunk (clients ignore unknown fields); with
                    # stream_options.include_usage an OpenAI-style usage-only chunk follows as well.
                    self._send_event(chunk({}, item.reason, usage=_usage(item)))
                    if include_usage:
                        self._send_event({**chunk({}), "choices": [], "usage": _usage(item)})
                else:
                    self._send_event(chunk({"content": item}))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            log("client went away during a stream")
        finally:
            pieces.close()  # releases the generation lock if the client left early

    def _send_event(self, payload: dict) -> None:
        self.wfile.write(b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n")
        self.wfile.flush()

    def _send_json(self, status: HTTPStatus, payload: dict) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_error(self, error: RequestError) -> None:
        self._send_json(error.status, {"error": {"message": error.message, "type": error.error_type,
                                                 "code": error.code or int(error.status)}})


def make_server(service: ChatService, host: str, port: int) -> ThreadingHTTPServer:
    handler = type("BoundChatHandler", (ChatHandler,), {"service": service})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True  # in-flight requests must not hold up shutdown
    return server


def serve(model: str, adapters: dict[str, str], served_name: str | None, host: str, port: int, device: str,
          max_concurrency: int, trust_remote_code: bool = False) -> None:
    if max_concurrency < 1:
        raise ConfigError("--max-concurrency must be at least 1")
    served_name = served_name or os.path.basename(os.path.normpath(model))
    if served_name in adapters:
        raise ConfigError(f"adapter name '{served_name}' clashes with the served model name")
    backend = create_backend(model, adapters, resolve_device(device), trust_remote_code)
    service = ChatService(backend, served_name, list(adapters), max_concurrency)
    server = make_server(service, host, port)

    def stop(signum, frame):
        log(f"signal {signum}: shutting down")
        # shutdown() waits for serve_forever to return, so it cannot run on the thread that is serving.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    bound_host, bound_port = server.server_address[:2]
    emit("ready", host=bound_host, port=bound_port, models=service.model_names(), backend=backend.name)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        log("server stopped")
