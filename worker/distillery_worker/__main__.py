"""Command line: `python -m distillery_worker {train,serve,merge,tokens,inspect,divergence,make-tiny} ...`.

Commands that fail print a final `{"event": "error", "type": ..., "message": ...}` line and exit non-zero.
"""

import argparse
import os
import sys
import traceback

from .events import ConfigError, emit_error, log, reserve_stdout_for_events, write_json_line

# Imported lazily per command: torch/transformers take seconds to import and `--help` should not.


def _train(args) -> None:
    from .jobfile import load_job
    from .train import run_training

    run_training(load_job(args.job))


def _serve(args) -> None:
    from .serve import parse_adapter_arguments, serve

    serve(model=args.model, adapters=parse_adapter_arguments(args.adapter), served_name=args.served_name,
          host=args.host, port=args.port, device=args.device, max_concurrency=args.max_concurrency,
          trust_remote_code=args.trust_remote_code)


def _merge(args) -> None:
    from .events import emit
    from .merge import merge_adapter

    out_dir = merge_adapter(args.base, args.adapter, args.out, trust_remote_code=args.trust_remote_code)
    emit("done", merged_dir=os.path.abspath(out_dir))


def _tokens(args) -> None:
    from .modeling import load_tokenizer
    from .tokens import token_statistics

    statistics = token_statistics(load_tokenizer(args.tokenizer, args.trust_remote_code), args.file)
    write_json_line(statistics)


def _inspect(args) -> None:
    from .inspection import inspect_file
    from .modeling import load_tokenizer

    tokenizer = load_tokenizer(args.tokenizer, args.trust_remote_code)
    write_json_line(inspect_file(tokenizer, args.file, args.max_length, args.rows, args.assistant_prefix))


def _divergence(args) -> None:
    from .divergence import divergence_of_files

    write_json_line(divergence_of_files(args.student, args.adapter, args.teacher, args.file, args.max_new_tokens,
                                        args.seed, args.assistant_prefix, args.trust_remote_code, args.limit))


def _make_tiny(args) -> None:
    from .events import emit
    from .tiny import make_tiny

    if not os.path.isfile(args.text):
        raise ConfigError(f"text file not found: {args.text}")
    template = None
    if args.chat_template:
        if not os.path.isfile(args.chat_template):
            raise ConfigError(f"chat template file not found: {args.chat_template}")
        with open(args.chat_template, encoding="utf-8") as handle:
            template = handle.read()
    out_dir = make_tiny(args.out, args.text, layers=args.layers, hidden=args.hidden, heads=args.heads,
                        vocab=args.vocab, seed=args.seed, chat_template=template, bos_token=args.bos_token,
                        eos_token=args.eos_token)
    emit("done", model_dir=os.path.abspath(out_dir))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m distillery_worker")
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="fine-tune from a JSON job file (JSON-lines events on stdout)")
    train.add_argument("job")
    train.set_defaults(handler=_train, error_type="TrainingError")

    serve = commands.add_parser("serve", help="OpenAI-compatible chat completions server")
    serve.add_argument("--model", required=True)
    serve.add_argument("--adapter", action="append", default=[], metavar="NAME=DIR")
    serve.add_argument("--served-name", default=None)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0)
    serve.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    serve.add_argument("--max-concurrency", type=int, default=4)
    serve.add_argument("--trust-remote-code", action="store_true")
    serve.set_defaults(handler=_serve, error_type="ServeError")

    merge = commands.add_parser("merge", help="merge a LoRA adapter into its base model")
    merge.add_argument("--base", required=True)
    merge.add_argument("--adapter", required=True)
    merge.add_argument("--out", required=True)
    merge.add_argument("--trust-remote-code", action="store_true")
    merge.set_defaults(handler=_merge, error_type="ModelLoadError")

    tokens = commands.add_parser("tokens", help="token statistics of a chat JSONL file")
    tokens.add_argument("--tokenizer", required=True)
    tokens.add_argument("file")
    tokens.add_argument("--trust-remote-code", action="store_true")
    tokens.set_defaults(handler=_tokens, error_type="DataError")

    inspect = commands.add_parser("inspect", help="training rows as the model sees them, trained spans marked")
    inspect.add_argument("--tokenizer", required=True)
    inspect.add_argument("file")
    inspect.add_argument("--max-length", type=int, default=1024)
    inspect.add_argument("--rows", type=int, default=3)
    inspect.add_argument("--assistant-prefix", default="")
    inspect.add_argument("--trust-remote-code", action="store_true")
    inspect.set_defaults(handler=_inspect, error_type="DataError")

    divergence = commands.add_parser("divergence", help="per-token reverse KL to a teacher on the student's samples")
    divergence.add_argument("--student", required=True, help="the student model (or the base of --adapter)")
    divergence.add_argument("--adapter", default=None)
    divergence.add_argument("--teacher", required=True)
    divergence.add_argument("file", help="chat JSONL: the prompts are the turns before each first answer")
    divergence.add_argument("--max-new-tokens", type=int, default=32)
    divergence.add_argument("--seed", type=int, default=0)
    divergence.add_argument("--limit", type=int, default=None, help="only the first N rows")
    divergence.add_argument("--assistant-prefix", default="")
    divergence.add_argument("--trust-remote-code", action="store_true")
    divergence.set_defaults(handler=_divergence, error_type="DataError")

    tiny = commands.add_parser("make-tiny", help="build a tiny random Llama model and BPE tokenizer")
    tiny.add_argument("--out", required=True)
    tiny.add_argument("--text", required=True)
    tiny.add_argument("--layers", type=int, default=2)
    tiny.add_argument("--hidden", type=int, default=64)
    tiny.add_argument("--heads", type=int, default=4)
    tiny.add_argument("--vocab", type=int, default=512)
    tiny.add_argument("--seed", type=int, default=0)
    tiny.add_argument("--chat-template", default=None, metavar="FILE",
                      help="a real model's Jinja chat template; its special tokens are added to the vocabulary")
    tiny.add_argument("--bos-token", default=None, help="the template's bos_token (e.g. <s>)")
    tiny.add_argument("--eos-token", default="<|im_end|>", help="the end-of-turn token generation stops at")
    tiny.set_defaults(handler=_make_tiny, error_type="ConfigError")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    reserve_stdout_for_events()
    try:
        args.handler(args)
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 - every failure becomes one typed error event
        traceback.print_exc(file=sys.stderr)
        emit_error(error, fallback=args.error_type)
        log(f"{args.command} failed: {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
