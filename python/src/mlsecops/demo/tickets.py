"""The demo's synthetic support-ticket dataset: templates, slot fillers and seeded randomness.

Intents share vocabulary on purpose (an order can be refunded, cancelled or late; a login
can fail because of a password or a bug) and a few templates are genuinely ambiguous, so a
small model reaches ~0.9+ accuracy without the data being a keyword lookup.
"""

from __future__ import annotations

import csv
import io
import random

INTENTS = (
    "billing",
    "refund",
    "password_reset",
    "shipping",
    "cancel",
    "technical_issue",
    "account_update",
)
ROWS_PER_INTENT = 430
AMBIGUOUS_SHARE = 0.08  # rows whose text fits two intents; the label is a coin flip between them

_SLOTS: dict[str, tuple[str, ...]] = {
    "product": (
        "headphones", "laptop stand", "coffee grinder", "desk lamp", "yoga mat", "backpack", "monitor",
        "keyboard", "phone case", "water bottle", "blender", "running shoes", "camera bag", "smart watch",
    ),
    "plan": ("premium plan", "basic plan", "family plan", "pro subscription", "annual membership", "monthly plan"),
    "amount": ("$9.99", "$14.50", "$29", "$49.99", "$120", "$5", "$79.00", "twice the usual amount"),
    "when": (
        "yesterday", "last week", "this morning", "two days ago", "on monday", "last month", "earlier today",
        "over the weekend",
    ),
    "device": ("iphone", "android phone", "ipad", "windows laptop", "macbook", "chromebook", "smart tv"),
    "app_part": ("checkout page", "mobile app", "dashboard", "search", "settings page", "upload form", "web site"),
    "error": (
        "a blank screen", "error 500", "a spinning wheel", "an unexpected error", "a timeout", "a crash",
        "error code 0x80", "nothing at all",
    ),
    "field": (
        "email address", "phone number", "billing address", "shipping address", "display name", "last name",
        "profile picture", "date of birth",
    ),
    "carrier": ("the courier", "ups", "fedex", "dhl", "the postal service"),
    "days": ("three days", "a week", "ten days", "two weeks", "five business days"),
}
_OPENERS = (
    "", "", "", "hi,", "hello,", "hey team,", "good morning,", "hi there,", "dear support,", "excuse me,",
    "quick question:", "urgent:",
)
_CLOSERS = (
    "", "", "", "thanks", "thank you!", "please help", "any update?", "cheers", "thanks in advance",
    "this is frustrating", "asap please", "appreciate it",
)

_TEMPLATES: dict[str, tuple[str, ...]] = {
    "billing": (
        "i was charged {amount} {when} and i do not understand why",
        "why is there a charge of {amount} on my card",
        "my invoice for the {plan} looks wrong",
        "i was billed twice for my {plan}",
        "can you explain the {amount} charge on my statement",
        "the price of my {plan} went up without notice",
        "i need a copy of my invoice from {when}",
        "my payment method was declined but i was still charged",
        "how do i update the card used for billing",
        "there is an unknown payment of {amount} on my account",
        "the tax on my bill seems too high",
        "when will i be billed for the {plan}",
    ),
    "refund": (
        "i want my money back for the {product}",
        "please refund the {amount} you charged {when}",
        "how long does a refund take to reach my card",
        "i returned the {product} {when} but have not got a refund",
        "can i get a refund for the {product} it arrived broken",
        "the {product} is not what i ordered i want a refund",
        "where is my refund for order {order}",
        "i was promised a refund of {amount} {when}",
        "return the {product} and give me my money back",
        "refund status for the {product} please",
        "i sent the {product} back and still no money",
    ),
    "password_reset": (
        "i forgot my password",
        "the password reset link does not work",
        "i cannot log in because i forgot my password",
        "how do i reset my password on the {device}",
        "i never received the password reset email",
        "my password is not accepted after the reset",
        "reset link expired before i could use it",
        "locked out of my account after too many password attempts",
        "i need a new password my old one stopped working",
        "change my password i think someone knows it",
        "the reset code never arrives on my {device}",
    ),
    "shipping": (
        "where is my order {order}",
        "my {product} has not arrived yet",
        "the tracking number for my {product} does not work",
        "{carrier} says delivered but i have no package",
        "when will my {product} be shipped",
        "my package has been stuck for {days}",
        "can i change the delivery address for order {order}",
        "do you ship to canada",
        "the delivery of my {product} is late by {days}",
        "{carrier} lost my {product}",
        "how much is express shipping for the {product}",
    ),
    "cancel": (
        "please cancel my {plan}",
        "i want to cancel order {order}",
        "how do i cancel my subscription",
        "stop my {plan} from renewing",
        "cancel the {product} i ordered {when}",
        "i no longer want the {plan} please end it",
        "close my {plan} at the end of the month",
        "i want to cancel before the next renewal",
        "terminate my membership today",
        "do not renew my {plan}",
        "i ordered the {product} by mistake please cancel it",
    ),
    "technical_issue": (
        "the {app_part} shows {error}",
        "the {app_part} keeps crashing on my {device}",
        "i get {error} when i open the {app_part}",
        "the {app_part} is very slow since {when}",
        "the app will not load on my {device}",
        "i cannot upload files the {app_part} freezes",
        "login page shows {error} on my {device}",
        "the {app_part} broke after the last update",
        "notifications stopped working on my {device}",
        "pages do not load i only see {error}",
        "sync between my {device} and the web site fails",
    ),
    "account_update": (
        "i need to change my {field}",
        "how do i update my {field}",
        "please update the {field} on my account",
        "my {field} is wrong in my profile",
        "i moved and need a new {field}",
        "can i change the username on my account",
        "add a second {field} to my profile",
        "update my {field} on the {device} app",
        "i got married and need to change my {field}",
        "remove my old {field} from the account",
        "where can i edit my {field}",
    ),
}

# Texts that honestly fit two intents: they keep the task from being a lookup table.
_AMBIGUOUS: tuple[tuple[str, str, str], ...] = (
    ("billing", "refund", "i was charged {amount} for the {product} i returned"),
    ("cancel", "refund", "cancel my {plan} and give back the {amount}"),
    ("shipping", "cancel", "my {product} is late so i do not want it anymore"),
    ("password_reset", "technical_issue", "i cannot log in on my {device} it shows {error}"),
    ("account_update", "billing", "i need to update my billing address"),
    ("account_update", "password_reset", "i want to change my login details"),
)

_TYPO_RATE = 0.04


def _order_number(rng: random.Random) -> str:
    return f"#{rng.randint(10000, 99999)}"


def _fill(template: str, rng: random.Random) -> str:
    values = {name: rng.choice(options) for name, options in _SLOTS.items()}
    values["order"] = _order_number(rng)
    return template.format(**values)


def _add_typo(word: str, rng: random.Random) -> str:
    if len(word) < 5 or not word.isalpha():
        return word
    position = rng.randrange(1, len(word) - 1)
    return word[:position] + word[position + 1 :]


def _dress(text: str, rng: random.Random) -> str:
    """Openers, closers, typos and casing: what real tickets look like around their core."""
    words = [_add_typo(word, rng) if rng.random() < _TYPO_RATE else word for word in text.split()]
    sentence = " ".join(part for part in (rng.choice(_OPENERS), " ".join(words), rng.choice(_CLOSERS)) if part)
    style = rng.random()
    if style < 0.3:
        sentence = sentence[0].upper() + sentence[1:]
    elif style < 0.35:
        sentence = sentence.upper()
    return sentence


def generate_rows(seed: int = 7, rows_per_intent: int = ROWS_PER_INTENT) -> list[tuple[str, str]]:
    """Deterministic (text, label) rows, shuffled."""
    rng = random.Random(seed)
    rows: list[tuple[str, str]] = []
    for intent in INTENTS:
        for _ in range(rows_per_intent):
            rows.append((_dress(_fill(rng.choice(_TEMPLATES[intent]), rng), rng), intent))
    for _ in range(int(len(rows) * AMBIGUOUS_SHARE)):
        first, second, template = rng.choice(_AMBIGUOUS)
        rows.append((_dress(_fill(template, rng), rng), rng.choice((first, second))))
    rng.shuffle(rows)
    return rows


def to_csv(rows: list[tuple[str, str]], text_column: str = "text", label_column: str = "label") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow((text_column, label_column))
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")

