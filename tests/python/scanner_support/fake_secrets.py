"""Secrets of every shape the secrets engine knows, built at run time from a seeded RNG.

No literal token sits in this source (our own scanner and push protection would flag it);
each factory returns (value, text that plants it) so tests and benchmarks check both.
"""

from __future__ import annotations

import base64
import json
import random
import string
from collections.abc import Callable

ALNUM = string.ascii_letters + string.digits
UPPER_ALNUM = string.ascii_uppercase + string.digits


def _pick(rng: random.Random, alphabet: str, count: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(count))


def aws_access_key_id(rng: random.Random) -> str:
    return "AKIA" + _pick(rng, string.ascii_uppercase + "234567", 16)


def aws_secret_access_key(rng: random.Random) -> str:
    return _pick(rng, ALNUM + "/+", 40)


def github_classic(rng: random.Random) -> str:
    return "ghp_" + _pick(rng, ALNUM, 36)


def github_fine_grained(rng: random.Random) -> str:
    return "github_pat_" + _pick(rng, ALNUM, 22) + "_" + _pick(rng, ALNUM, 59)


def gitlab_pat(rng: random.Random) -> str:
    return "glpat-" + _pick(rng, ALNUM + "_-", 20)


def slack_bot_token(rng: random.Random) -> str:
    return f"xoxb-{rng.randint(10**10, 10**11)}-{rng.randint(10**10, 10**11)}-{_pick(rng, ALNUM, 24)}"


def slack_webhook(rng: random.Random) -> str:
    return f"https://hooks.slack.com/services/T{_pick(rng, UPPER_ALNUM, 8)}/B{_pick(rng, UPPER_ALNUM, 10)}/{_pick(rng, ALNUM, 24)}"


def stripe_live(rng: random.Random) -> str:
    return "sk_" + "live_" + _pick(rng, ALNUM, 24)


def google_api_key(rng: random.Random) -> str:
    return "AIza" + _pick(rng, ALNUM + "_-", 35)


def huggingface(rng: random.Random) -> str:
    return "hf_" + _pick(rng, string.ascii_letters, 34)


def openai_project(rng: random.Random) -> str:
    return "sk-proj-" + _pick(rng, ALNUM, 20) + "T3Blbk" + "FJ" + _pick(rng, ALNUM, 20)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(rng: random.Random) -> str:
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64url(json.dumps({"sub": str(rng.randint(1, 10**9)), "name": _pick(rng, ALNUM, 8)}).encode())
    return f"{header}.{payload}.{_b64url(rng.randbytes(32))}"


def private_key_block(rng: random.Random) -> str:
    body = base64.b64encode(rng.randbytes(120)).decode()
    lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    kind = "EC " + "PRIVATE KEY"
    return f"-----BEGIN {kind}-----\n{lines}\n-----END {kind}-----"


def password(rng: random.Random) -> str:
    return _pick(rng, ALNUM, 6) + rng.choice("!#%^&*-_") + _pick(rng, ALNUM, 7)


# rule id -> (factory, how it sits in a file)
PLANTERS: dict[str, tuple[Callable[[random.Random], str], Callable[[str], str]]] = {
    "aws-access-key-id": (aws_access_key_id, lambda v: f'AWS_ACCESS_KEY_ID = "{v}"\n'),
    "aws-secret-access-key": (aws_secret_access_key, lambda v: f"aws_secret_access_key = {v}\n"),
    "github-pat": (github_classic, lambda v: f"export GH_AUTH={v}\n"),
    "github-fine-grained-pat": (github_fine_grained, lambda v: f'headers = {{"Authorization": "Bearer {v}"}}\n'),
    "gitlab-token": (gitlab_pat, lambda v: f"  private-token: {v}\n"),
    "slack-token": (slack_bot_token, lambda v: f'client = WebClient(token="{v}")\n'),
    "slack-webhook": (slack_webhook, lambda v: f"webhook: {v}\n"),
    "stripe-key": (stripe_live, lambda v: f"stripe.api_key = '{v}'\n"),
    "google-api-key": (google_api_key, lambda v: f"const key = `{v}`;\n"),
    "huggingface-token": (huggingface, lambda v: f"login(token='{v}')\n"),
    "openai-api-key": (openai_project, lambda v: f"OPENAI_API_KEY={v}\n"),
    "jwt": (jwt, lambda v: f"Authorization: Bearer {v}\n"),
    "private-key": (private_key_block, lambda v: f"{v}\n"),
    "connection-string-password": (password, lambda v: f'DATABASE_URL = "postgresql://app:{v}@db.internal:5432/app"\n'),
    "password-assignment": (password, lambda v: f'db_password = "{v}"\n'),
}


def plant(rule_id: str, seed: int = 7) -> tuple[str, str]:
    """(secret value, a line of source that holds it) for `rule_id`."""
    factory, template = PLANTERS[rule_id]
    value = factory(random.Random(f"{rule_id}:{seed}"))
    return value, template(value)
