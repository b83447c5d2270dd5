"""Stands in for a Slack incoming webhook (POST /services/T../B../secret); only that endpoint.

Answers as Slack does: 200 "ok", 400 "invalid_payload"/"invalid_blocks" for what Slack
rejects (more than 50 blocks, section text over 3000, header over 150, ...), 404 "no_service"
for a wrong webhook path.
"""

from __future__ import annotations

from .receiver import Receiver, Recorded, Reply

WEBHOOK_PATH = "/services/T0001/B0002/Xk4lSecretWebhookPart9z"


def violations(payload: dict) -> list[str]:
    problems = []
    blocks = payload.get("blocks", [])
    if not payload.get("text") and not blocks:
        problems.append("no text and no blocks")
    if len(blocks) > 50:
        problems.append(f"{len(blocks)} blocks > 50")
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            text = block["text"]
            if text["type"] != "plain_text" or len(text["text"]) > 150:
                problems.append("bad header")
        elif kind == "section":
            if "text" in block and len(block["text"]["text"]) > 3000:
                problems.append("section text > 3000")
            fields = block.get("fields", [])
            if len(fields) > 10 or any(len(f["text"]) > 2000 for f in fields):
                problems.append("bad section fields")
            if "text" not in block and not fields:
                problems.append("empty section")
        elif kind == "actions":
            for element in block["elements"]:
                if len(element["text"]["text"]) > 75 or len(element.get("url", "")) > 3000:
                    problems.append("bad button")
        elif kind == "context":
            if len(block["elements"]) > 10:
                problems.append("context > 10 elements")
        else:
            problems.append(f"unexpected block type {kind}")
    return problems


def handle(recorded: Recorded) -> Reply:
    if recorded.path != WEBHOOK_PATH:
        return Reply(404, "no_service")
    if not recorded.headers.get("content-type", "").startswith("application/json"):
        return Reply(400, "invalid_payload")
    problems = violations(recorded.json())
    return Reply(400, "invalid_blocks") if problems else Reply(200, "ok")


def slack_receiver() -> Receiver:
    receiver = Receiver()
    receiver.route("POST", "/services/", handle)
    return receiver.start()
