"""What the insecure demo plants: a leaked cloud key, PII in the dataset, a trojan pickle.

Every value is built at materialize time from a seeded RNG, so no literal secret or PII value
sits in this source, yet each run plants the very same values (tests search outputs for them).
The pickle is written opcode by opcode: nothing here pickles a live object or ever loads it.
"""

from __future__ import annotations

import random
import string
import struct
from dataclasses import dataclass

_AWS_ID_ALPHABET = string.ascii_uppercase + "234567"
_AWS_SECRET_ALPHABET = string.ascii_letters + string.digits + "/+"


@dataclass(frozen=True)
class FakeAwsKey:
    access_key_id: str
    secret_access_key: str


def fake_aws_key(rng: random.Random) -> FakeAwsKey:
    return FakeAwsKey(
        access_key_id="AKIA" + "".join(rng.choice(_AWS_ID_ALPHABET) for _ in range(16)),
        secret_access_key="".join(rng.choice(_AWS_SECRET_ALPHABET) for _ in range(40)),
    )


def settings_module(key: FakeAwsKey) -> str:
    """An app settings file as teams really leak them: credentials next to harmless config."""
    return (
        '"""Settings of the support bot."""\n'
        "\n"
        'MODEL_DIR = "model"\n'
        'RESPONSES_FILE = "app/responses.json"\n'
        'LOG_LEVEL = "INFO"\n'
        "\n"
        "# TODO move to the vault before go-live\n"
        f'AWS_ACCESS_KEY_ID = "{key.access_key_id}"\n'
        f'AWS_SECRET_ACCESS_KEY = "{key.secret_access_key}"\n'
        'AWS_REGION = "eu-central-1"\n'
        'TRANSCRIPTS_BUCKET = "support-bot-transcripts"\n'
    )


def _luhn_check_digit(partial: str) -> str:
    total = 0
    for position, char in enumerate(reversed(partial)):
        digit = int(char)
        if position % 2 == 0:  # these positions are doubled once the check digit is appended
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def card_number(rng: random.Random, prefix: str = "4") -> str:
    partial = prefix + "".join(str(rng.randrange(10)) for _ in range(15 - len(prefix)))
    return partial + _luhn_check_digit(partial)


def german_iban(rng: random.Random) -> str:
    bban = "".join(str(rng.randrange(10)) for _ in range(18))  # bank code (8) + account (10)
    numeric = bban + "1314" + "00"  # 'D' = 13, 'E' = 14, then check digits 00 for the mod-97 computation
    check = 98 - int(numeric) % 97
    return f"DE{check:02d}{bban}"


def us_ssn(rng: random.Random) -> str:
    area = rng.choice([n for n in range(100, 899) if n != 666])
    return f"{area:03d}-{rng.randint(10, 99):02d}-{rng.randint(1000, 9999):04d}"


def phone_number(rng: random.Random) -> str:
    # US numbers in real, assigned area codes with a valid exchange (not 555): what a PII scanner must catch
    area = rng.choice((212, 312, 415, 617, 646, 718, 773, 917))
    return f"+1 {area} {rng.randint(201, 989)} {rng.randint(1000, 9999):04d}"


def email_address(rng: random.Random) -> str:
    first = rng.choice(("maria", "john", "li", "fatima", "oliver", "sofia", "ahmed", "emma"))
    last = rng.choice(("keller", "smith", "wang", "haddad", "brown", "rossi", "khan", "novak"))
    return f"{first}.{last}{rng.randint(10, 99)}@{rng.choice(('gmail.com', 'outlook.com', 'yahoo.com'))}"


@dataclass(frozen=True)
class PiiRow:
    text: str
    label: str
    values: tuple[str, ...]


def pii_rows(rng: random.Random, count_per_kind: int = 3) -> list[PiiRow]:
    """Tickets in which customers pasted personal data: what a dataset PII scan must catch."""
    rows: list[PiiRow] = []
    for _ in range(count_per_kind):
        email = email_address(rng)
        rows.append(PiiRow(f"please change my email address to {email}", "account_update", (email,)))
        phone = phone_number(rng)
        rows.append(PiiRow(f"call me back at {phone} about my missing package", "shipping", (phone,)))
        card = card_number(rng)
        rows.append(PiiRow(f"i was charged twice on my card {card} please check", "billing", (card,)))
        iban = german_iban(rng)
        rows.append(PiiRow(f"send the refund to my bank account {iban}", "refund", (iban,)))
        ssn = us_ssn(rng)
        rows.append(PiiRow(f"my ssn is {ssn} and i still cannot reset my password", "password_reset", (ssn,)))
    return rows


TROJAN_COMMAND = "echo mlsecops-demo: this pickle ran a shell command"


def _binunicode(text: str) -> bytes:
    data = text.encode("utf-8")
    return b"X" + struct.pack("<I", len(data)) + data


def trojan_tokenizer_pickle() -> bytes:
    """A protocol-2 pickle that calls os.system (GLOBAL + REDUCE) and then yields a harmless-looking vocabulary.

    Opcodes: PROTO 2, GLOBAL 'os system', BINUNICODE cmd, TUPLE1, REDUCE, POP, then a dict
    {word_index: {...}, oov_token: ...} built with EMPTY_DICT/MARK/SETITEMS, STOP.
    """
    vocabulary = ("[UNK]", "my", "i", "the", "order", "refund", "password", "cancel")
    payload = bytearray(b"\x80\x02")
    payload += b"cos\nsystem\n"
    payload += _binunicode(TROJAN_COMMAND) + b"\x85" + b"R" + b"0"
    payload += b"}" + b"(" + _binunicode("word_index") + b"}" + b"("
    for index, word in enumerate(vocabulary, start=1):
        payload += _binunicode(word) + b"K" + bytes([index])
    payload += b"u" + _binunicode("oov_token") + _binunicode("[UNK]") + b"u" + b"."
    return bytes(payload)
