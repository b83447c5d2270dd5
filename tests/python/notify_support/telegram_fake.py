"""Stands in for the Telegram Bot API: only POST /bot<token>/sendMessage.

It parses MarkdownV2 the way Telegram documents it and answers Telegram's errors: a
reserved character that is not escaped, an entity that is not closed, or a text over 4096
characters after parsing is "400 Bad Request"; a wrong token is 401/404.
"""

from __future__ import annotations

import itertools

from .receiver import Receiver, Recorded, Reply

RESERVED = set("_*[]()~`>#+-=|{}.!")
_ids = itertools.count(1)


class MarkdownError(ValueError):
    pass


def parse_markdown_v2(text: str) -> str:
    """The plain text Telegram would show; MarkdownError for what it refuses."""
    out: list[str] = []
    open_entities: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            if i + 1 >= len(text) or not 1 <= ord(text[i + 1]) <= 126:
                raise MarkdownError("Can't parse entities: a backslash escapes nothing")
            out.append(text[i + 1])
            i += 2
            continue
        if char in "*_~":
            token = "__" if text.startswith("__", i) else char
            if open_entities and open_entities[-1] == token:
                open_entities.pop()
            else:
                open_entities.append(token)
            i += len(token)
            continue
        if text.startswith("||", i):
            if open_entities and open_entities[-1] == "||":
                open_entities.pop()
            else:
                open_entities.append("||")
            i += 2
            continue
        if char == "[":
            open_entities.append("[")
            i += 1
            continue
        if char == "]":
            if not open_entities or open_entities[-1] != "[" or not text.startswith("(", i + 1):
                raise MarkdownError("Can't parse entities: Character ']' is reserved and must be escaped")
            open_entities.pop()
            end = i + 2
            while end < len(text) and text[end] != ")":
                end += 2 if text[end] == "\\" else 1
            if end >= len(text):
                raise MarkdownError("Can't parse entities: can't find end of a URL")
            i = end + 1
            continue
        if char == ">" and (i == 0 or text[i - 1] == "\n"):
            i += 1  # a block quote
            continue
        if char in RESERVED:
            raise MarkdownError(
                f"Can't parse entities: Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        out.append(char)
        i += 1
    if open_entities:
        raise MarkdownError(f"Can't parse entities: can't find end of the entity '{open_entities[-1]}'")
    return "".join(out)


def telegram_receiver(token: str) -> Receiver:
    def handle(recorded: Recorded) -> Reply:
        if recorded.path != f"/bot{token}/sendMessage":
            return Reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        payload = recorded.json()
        if payload.get("parse_mode") != "MarkdownV2" or not payload.get("chat_id"):
            return Reply(400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"})
        try:
            shown = parse_markdown_v2(payload["text"])
        except MarkdownError as exc:
            return Reply(400, {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"})
        if not 1 <= len(shown) <= 4096:
            return Reply(400, {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"})
        message = {"message_id": next(_ids), "chat": {"id": payload["chat_id"]}, "text": shown}
        return Reply(200, {"ok": True, "result": message})

    receiver = Receiver()
    receiver.route("POST", "/bot", handle)
    return receiver.start()
