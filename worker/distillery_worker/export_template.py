"""`python -m distillery_worker.export_template MODEL_DIR`: the pieces of the model's chat template around
system prompt, user and assistant turns, found by rendering it with sentinel contents. The export turns them
into an Ollama TEMPLATE that ranges over a conversation's messages (several turns), with the system prompt and
assistant prefix the student was trained with.

The pieces describe a template only when it is regular: each turn rendered the same way wherever it stands.
That is checked here by rebuilding the Hugging Face rendering of conversations of one to three turns, with and
without a system prompt, from the pieces alone; a template that places turns otherwise (Mistral's system
prompt inside the last user turn, a generation prompt that differs from a past assistant turn's opening, a
template that raises on a system prompt) is refused by name.

`--render MESSAGES_JSON` instead prints the Hugging Face rendering of those messages (with the generation
prompt, or continuing a final assistant message), the reference the Ollama template is tested against.
"""
import argparse
import json
import sys

from .modeling import load_tokenizer

SYSTEM = "\x01SYSTEM\x01"


def user(turn: int) -> dict:
    return {"role": "user", "content": f"\x01USER{turn}\x01"}


def assistant(turn: int) -> dict:
    return {"role": "assistant", "content": f"\x01ASSISTANT{turn}\x01"}


def render(tokenizer, messages, generation: bool) -> str:
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=generation)


def reference(tokenizer, messages: list[dict], prefix: str) -> str:
    """The student's prompt: the generation prompt, continued by the assistant prefix when there is one."""
    if prefix:
        return tokenizer.apply_chat_template(messages + [{"role": "assistant", "content": prefix}], tokenize=False, continue_final_message=True)
    return render(tokenizer, messages, True)


def rebuilt(found: dict, messages: list[dict]) -> str:
    """What the Ollama template (ollama-export.ts) renders for these messages, from the pieces alone."""
    system = [message["content"] for message in messages if message["role"] == "system"]
    text = found["head"] + system[0] + found["middle"] if system else found["head_without_system"]
    turns = [message for message in messages if message["role"] != "system"]
    for index, message in enumerate(turns):
        last = index == len(turns) - 1
        if message["role"] == "user":
            text += message["content"] + found["after_user"] + (found["assistant_prefix"] if last else "")
        else:
            text += message["content"] + ("" if last else found["between_turns"])
    return text


def conversations() -> list[list[dict]]:
    shapes = []
    for turns in (1, 2, 3):
        dialogue = []
        for turn in range(1, turns + 1):
            dialogue += [user(turn)] + ([assistant(turn)] if turn < turns else [])
        shapes += [[{"role": "system", "content": SYSTEM}] + dialogue, dialogue]
    return shapes


def pieces(model_dir: str, assistant_prefix: str = "") -> dict:
    tokenizer = load_tokenizer(model_dir)
    if not tokenizer.chat_template:
        raise SystemExit(f"{model_dir}: the tokenizer has no chat template")
    if tokenizer.eos_token is None:
        raise SystemExit(f"{model_dir}: the tokenizer has no end-of-sequence token")
    system = {"role": "system", "content": SYSTEM}
    try:
        with_system = render(tokenizer, [system, user(1)], True)
        without_system = render(tokenizer, [user(1)], True)
        answered = render(tokenizer, [system, user(1), assistant(1)], False)
        two_turns = render(tokenizer, [system, user(1), assistant(1), user(2)], True)
    except Exception as error:  # noqa: BLE001 - a template that raises (e.g. on the system role) is refused by name
        raise SystemExit(f"the chat template cannot render a system + user + assistant conversation: {error}") from error
    irregular = "the chat template renders {}; Distillery cannot translate it to an Ollama template".format
    if SYSTEM not in with_system:
        raise SystemExit(irregular("no system prompt where one is given (it drops or moves it)"))
    head, rest = with_system.split(SYSTEM)
    middle, after_user = rest.split(user(1)["content"])
    head_without_system, after_user_alone = without_system.split(user(1)["content"])
    if after_user != after_user_alone:
        raise SystemExit(irregular("the user turn differently with and without a system prompt"))
    after_assistant = answered.split(assistant(1)["content"], 1)[1]
    if assistant(1)["content"] not in two_turns or user(2)["content"] not in two_turns:
        raise SystemExit(irregular("a past assistant turn without its content"))
    between_turns = two_turns.split(assistant(1)["content"], 1)[1].split(user(2)["content"], 1)[0]
    # The prefix as the template writes it (Llama 3.1's trims the assistant's content, for one).
    prefix = assistant_prefix
    if assistant_prefix:
        try:
            continued = reference(tokenizer, [system, user(1)], assistant_prefix)
        except Exception as error:  # noqa: BLE001 - e.g. a template that rewrites a final assistant message
            raise SystemExit(irregular(f"no assistant prefix to continue ({error})".split("\n")[0])) from error
        if not continued.startswith(with_system):
            raise SystemExit(irregular("an assistant prefix in a way that does not continue the generation prompt"))
        prefix = continued[len(with_system):]
    found = {
        "head": head, "middle": middle, "head_without_system": head_without_system, "after_user": after_user,
        "after_assistant": after_assistant, "between_turns": between_turns, "eos_token": tokenizer.eos_token,
        "assistant_prefix": prefix,
    }
    for messages in conversations():
        if rebuilt(found, messages) != reference(tokenizer, messages, assistant_prefix):
            shape = "+".join(message["role"] for message in messages)
            raise SystemExit(irregular(f"turns differently depending on where they stand (a {shape} conversation differs)"))
    return found


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
