"""`python -m distillery_worker.export_template MODEL_DIR`: the pieces of the model's chat template around
a system prompt, a user turn and the assistant's turn, found by rendering it with sentinel contents. The
export turns them into an Ollama TEMPLATE for the single-turn conversations a distilled student is made for.

`--render MESSAGES_JSON` instead prints the Hugging Face rendering of those messages (with the generation
prompt, or continuing a final assistant message), the reference the Ollama template is tested against.
"""
import argparse
import json
import sys

from .modeling import load_tokenizer

SYSTEM, USER, ASSISTANT = "\x01SYSTEM\x01", "\x01USER\x01", "\x01ASSISTANT\x01"


def render(tokenizer, messages, generation: bool) -> str:
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=generation)


def pieces(model_dir: str, assistant_prefix: str = "") -> dict:
    tokenizer = load_tokenizer(model_dir)
    if not tokenizer.chat_template:
        raise SystemExit(f"{model_dir}: the tokenizer has no chat template")
    if tokenizer.eos_token is None:
        raise SystemExit(f"{model_dir}: the tokenizer has no end-of-sequence token")
    system, user, assistant = {"role": "system", "content": SYSTEM}, {"role": "user", "content": USER}, {"role": "assistant", "content": ASSISTANT}
    try:
        with_system = render(tokenizer, [system, user], True)
        without_system = render(tokenizer, [user], True)
        answered = render(tokenizer, [system, user, assistant], False)
    except Exception as error:  # noqa: BLE001 - a template that raises (e.g. on the system role) is refused by name
        raise SystemExit(f"the chat template cannot render a system + user + assistant conversation: {error}") from error
    head, rest = with_system.split(SYSTEM)
    middle, after_user = rest.split(USER)
    head_without_system, after_user_alone = without_system.split(USER)
    if after_user != after_user_alone:
        raise SystemExit("the chat template renders the user turn differently with and without a system prompt; Distillery cannot translate it to an Ollama template")
    after_assistant = answered.split(ASSISTANT, 1)[1]
    # The prefix as the template writes it (Llama 3.1's trims the assistant's content, for one).
    prefix = assistant_prefix
    if assistant_prefix:
        continued = tokenizer.apply_chat_template([system, user, {"role": "assistant", "content": assistant_prefix}], tokenize=False, continue_final_message=True)
        if not continued.startswith(with_system):
            raise SystemExit("the chat template renders an assistant prefix in a way Distillery cannot translate to an Ollama template")
        prefix = continued[len(with_system):]
    return {
        "head": head, "middle": middle, "head_without_system": head_without_system, "after_user": after_user,
        "after_assistant": after_assistant, "eos_token": tokenizer.eos_token, "assistant_prefix": prefix,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model")
    parser.add_argument("--render", help="a JSON file with a list of messages")
    parser.add_argument("--assistant-prefix", default="", help="the text the student's answers start with")
    args = parser.parse_args()
    if args.render:
        tokenizer = load_tokenizer(args.model)
        with open(args.render, encoding="utf-8") as handle:
            messages = json.load(handle)
        if messages[-1]["role"] == "assistant":
            text = tokenizer.apply_chat_template(messages, tokenize=False, continue_final_message=True)
        else:
            text = render(tokenizer, messages, True)
        sys.stdout.write(json.dumps({"text": text}))
        return
    sys.stdout.write(json.dumps(pieces(args.model, args.assistant_prefix)))


if __name__ == "__main__":
    main()
