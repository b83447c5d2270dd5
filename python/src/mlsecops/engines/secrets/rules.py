"""The built-in secret rules: provider token formats, key blocks, JWTs and password assignments.

A rule's `pattern` finds a candidate span in one multi-pattern pass (the common subset of
Hyperscan and `re`); its `extract` regex then pulls the secret out of that span, and the
allowlists (placeholders, entropy) decide. Provider rules have distinctive prefixes and are
trusted in lock files; `generic` rules (assignments) are not, and need entropy.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from mlsecops.findings import Severity


@dataclass(frozen=True)
class SecretRule:
    id: str
    title: str
    severity: Severity
    pattern: bytes
    keywords: tuple[bytes, ...]
    extract: bytes = b""  # regex with a group named `secret`; empty: the whole span is the secret
    caseless: bool = False
    generic: bool = False  # context-based: skipped in lock files, needs entropy
    min_entropy: float = 0.0
    validate: Callable[[bytes], bool] | None = None
    cwe: str = "CWE-798"
    max_length: int = 1024  # longest span the rule matches: bounds the re-check window
    # an assignment rule ("quoted" value or "bare" env-file value): its key and value are judged together
    assignment: str = ""


    def secret_of(self, span: bytes) -> bytes | None:
        if not self.extract:
            return span
        match = _compiled_extract(self).search(span)
        return match.group("secret") if match else None


_EXTRACT_CACHE: dict[str, re.Pattern[bytes]] = {}


def _compiled_extract(rule: SecretRule) -> re.Pattern[bytes]:
    compiled = _EXTRACT_CACHE.get(rule.id)
    if compiled is None:
        compiled = re.compile(rule.extract, re.IGNORECASE if rule.caseless else 0)
        _EXTRACT_CACHE[rule.id] = compiled
    return compiled


def shannon_entropy(value: bytes) -> float:
    if not value:
        return 0.0
    counts = Counter(value)
    total = len(value)
    return -sum(c / total * math.log2(c / total) for c in counts.values())


def _valid_jwt(token: bytes) -> bool:
    header = token.split(b".", 1)[0]
    try:
        decoded = base64.urlsafe_b64decode(header + b"=" * (-len(header) % 4))
        return isinstance(json.loads(decoded), dict) and b"alg" in decoded
    except (binascii.Error, ValueError):
        return False


def _base64_key_shaped(value: bytes) -> bool:
    """A random base64 key mixes upper case, lower case and digits; a 40-digit hex digest (a git
    commit, a SHA-1) or a word does not."""
    return (any(65 <= c <= 90 for c in value) and any(97 <= c <= 122 for c in value)
            and any(48 <= c <= 57 for c in value))


# Values that document a secret's shape rather than hold one (AWS's own docs end keys in EXAMPLE).
PLACEHOLDER_MARKERS = (
    b"example", b"xxxx", b"changeme", b"change_me", b"change-me", b"placeholder", b"dummy", b"your_",
    b"your-", b"yourpass", b"<", b">", b"${", b"{{", b"%(", b"$(", b"redacted", b"****", b"sample",
    b"fake", b"replace", b"insert", b"todo", b"notreal", b"not_real", b"not-real", b"foobar",
    b"...", b"0000000000", b"1234567890",
)  # fmt: skip
GENERIC_PLACEHOLDERS = frozenset(
    {b"password", b"passwd", b"secret", b"token", b"none", b"null", b"true", b"false", b"admin", b"root",
     b"test", b"testing", b"default", b"undefined", b"string", b"empty", b"required", b"optional"}
)  # fmt: skip


def is_placeholder(secret: bytes, *, generic: bool) -> bool:
    lowered = secret.lower()
    if any(marker in lowered for marker in PLACEHOLDER_MARKERS):
        return True
    if len(set(lowered)) <= 2:
        return True
    if generic:
        core = lowered.strip(b"'\"`")
        if core in GENERIC_PLACEHOLDERS or core.startswith((b"test", b"my", b"env", b"os.")):
            return True
        if _CODE_VALUE.fullmatch(core) or _IDENTIFIER.fullmatch(secret) or _character_classes(secret) < 2:
            return True  # code, a path, a template, an identifier, or one kind of character only
    return False


_CODE_VALUE = re.compile(
    rb"[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+(?:\(\)|:[a-z_][a-z0-9_]*)?"  # a dotted name, call or module:Class
    rb"|(?:/|\./|\.\./|~/)[^\s]*"  # a file path
    rb"|.*[({].*",  # a call, a regex group or a template field: `re.compile(`, `(AKIA...)`, `{name}`
    re.IGNORECASE,
)


_IDENTIFIER = re.compile(
    rb"[a-z]+(?:[_.-][a-z]+)*|[A-Z]+(?:_[A-Z]+)*|[a-z]+(?:[A-Z][a-z]+)+"  # snake_case, CONSTANT, camelCase
    rb"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"  # a UUID names a record
)


def _character_classes(value: bytes) -> int:
    """How many of lower case, upper case, digits and symbols a value mixes: passwords mix two or more."""
    return (any(97 <= c <= 122 for c in value) + any(65 <= c <= 90 for c in value)
            + any(48 <= c <= 57 for c in value) + any(not chr(c).isalnum() for c in value))


# Words that end the name of a class, type or enum member in ML code: `RpcGroupManagementToken`,
# `Qwen2TokenizerFast`, `DacModel`. A value spelt as words ending in one names code, not a credential.
_CODE_SUFFIXES = (
    b"token", b"tokens", b"tokenizer", b"fast", b"config", b"configuration", b"model", b"class", b"type",
    b"base", b"backend", b"processor", b"extractor", b"encoder", b"decoder", b"error", b"exception",
    b"manager", b"handler", b"factory", b"provider", b"mixin", b"module", b"layer", b"output", b"input",
    b"pipeline", b"generator", b"dict", b"list", b"enum", b"kind", b"mode", b"name", b"policy", b"store",
    b"client", b"request", b"response", b"spec", b"state", b"strategy", b"wrapper", b"classification",
    b"embedding", b"embeddings", b"attention", b"head", b"network", b"field", b"schema", b"loader",
)  # fmt: skip
# One piece of a name: a capitalised or lower-case word with a vowel, an acronym, a short number.
_NAME_PIECE = re.compile(rb"[A-Z][a-z]+|[a-z]*[aeiouy][a-z]*|[A-Z]{2,6}(?![a-z])|[A-Z](?=[A-Z][a-z])|\d{1,4}")
NAME_MEAN_WORD = 3.5  # names are made of words; a random token split this way leaves mostly 1-2 letter bits
_SPECIAL_TOKEN = re.compile(rb"\[[A-Za-z_0-9]+\]|<\|?[\w-]+\|?>")  # `[IMG_BREAK]`, `<|endoftext|>`
# The last part of a key that says its value names something rather than being it.
_NAMING_KEY_ENDS = frozenset(
    {b"class", b"classes", b"cls", b"type", b"types", b"name", b"names", b"id", b"ids", b"field", b"fields",
     b"column", b"col", b"header", b"env", b"var", b"variable", b"attr", b"attribute", b"param", b"kind",
     b"mode", b"label", b"prefix", b"suffix", b"index", b"idx", b"len", b"length", b"count", b"size",
     b"dir", b"path", b"file", b"filename", b"doc", b"pattern", b"regex", b"format", b"fmt", b"url", b"uri",
     b"endpoint", b"scope", b"scopes", b"method", b"algorithm", b"alg", b"version", b"template", b"map",
     b"mapping", b"lookup", b"source", b"provider", b"location", b"ref", b"reference"}
)  # fmt: skip
# Tokens of a vocabulary, not credentials: tokenizer settings and special-token ids.
_VOCABULARY_KEY = re.compile(rb"(?i)tokeniz|token_ids?\b|token_ids?_|special_tokens?|_token_type|tokens?_to_")


def name_pieces(value: bytes) -> list[bytes] | None:
    """The words of a code name (`XLA_FFI_DataType_TOKEN` -> XLA FFI Data Type TOKEN), or None when
    the value does not read as one: a random token does not split into pronounceable words."""
    pieces: list[bytes] = []
    for part in re.split(rb"[_.:-]+", value):
        position = 0
        while position < len(part):
            match = _NAME_PIECE.match(part, position)
            if match is None or match.end() == position:
                return None
            pieces.append(match.group())
            position = match.end()
    words = [len(p) for p in pieces if not p.isdigit()]
    return pieces if words and sum(words) / len(words) >= NAME_MEAN_WORD else None


def names_code(secret: bytes, *, quoted: bool) -> bool:
    """A class, type, enum or constant name rather than a password.

    Unquoted (`TOKEN = XLA_FFI_DataType_TOKEN` in code, not an env file), any multi-word name counts;
    quoted, the name must also end in a word classes end in (`"RpcGroupManagementToken"`): a
    password like `"Welcome123"` or `"CorrectHorseBatteryStaple"` stays a password.
    """
    if _SPECIAL_TOKEN.fullmatch(secret):
        return True
    pieces = name_pieces(secret)
    if pieces is None:
        return False
    words = [p for p in pieces if not p.isdigit()]
    if len(words) < 2:
        return False
    if not quoted and (b"_" in secret or b"." in secret):
        return True  # `XLA_FFI_DataType_TOKEN`, `torch.float32`: env files hold no such thing
    return words[-1].lower() in _CODE_SUFFIXES


def key_names_something(key: bytes) -> bool:
    """`tokenizer_class`, `pad_token_id`, `secret_name`: keys whose value names a thing, not a secret."""
    if _VOCABULARY_KEY.search(key):
        return True
    last = re.split(rb"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])", key.strip(b"'\"`[]"))
    last = [p for p in last if p]
    return bool(last) and last[-1].lower() in _NAMING_KEY_ENDS


def context_accepts(key: bytes, secret: bytes, *, quoted: bool) -> bool:
    """An assignment's key and value together: not a value that names code or a key that names a thing."""
    return not (key_names_something(key) or names_code(secret, quoted=quoted))


def rule_accepts(rule: SecretRule, secret: bytes) -> bool:
    """Not a placeholder, random enough for a context rule, and well-formed where the format can tell."""
    if is_placeholder(secret, generic=rule.generic):
        return False
    if rule.min_entropy and shannon_entropy(secret) < rule.min_entropy:
        return False
    return rule.validate is None or rule.validate(secret)


# keyword first: a leading `[\w.-]*` would make `re` retry at every character of a file
_ASSIGN = rb"(?:password|passwd|pwd|secret|token|api_?key|apikey|access_?key|auth_?key|client_?secret)[\w.-]*"

RULES: tuple[SecretRule, ...] = (
    SecretRule(
        "aws-access-key-id", "AWS access key id", Severity.CRITICAL,
        rb"\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}\b", (b"akia", b"asia", b"abia", b"acca", b"a3t"),
    ),
    SecretRule(
        "aws-secret-access-key", "AWS secret access key", Severity.CRITICAL,
        rb"aws[\w.-]*(?:secret|key)[\w.-]*['\"]?\s*(?::|=|=>|:=)\s*[rbu]?['\"]?[A-Za-z0-9/+=]{40}(?:[^A-Za-z0-9/+=]|$)"
        # the same 40-character value after the word "secret" in prose or a record, with or without
        # "aws" before it: `my aws secret is ...`, `Secret access key: ...`, `"secret": "..."`
        rb"|\bsecret(?:[ \t_.-]?access)?(?:[ \t_.-]?key)?"
        rb"(?:['\"]?[ \t]*(?::|=|=>|:=)[ \t]*|[ \t]+(?:(?:is|was)[ \t]+)?)['\"]?"
        rb"[A-Za-z0-9/+=]{40}(?:[^A-Za-z0-9/+=]|$)",
        (b"aws", b"secret"), rb"(?P<secret>[A-Za-z0-9/+=]{40})(?:[^A-Za-z0-9/+=]|$)", caseless=True, min_entropy=3.5,
        validate=_base64_key_shaped,
    ),
    SecretRule(
        "github-pat", "GitHub personal access token (classic)", Severity.CRITICAL,
        rb"\bgh[pousr]_[A-Za-z0-9]{36,255}\b", (b"ghp_", b"gho_", b"ghu_", b"ghs_", b"ghr_"),
    ),
    SecretRule(
        "github-fine-grained-pat", "GitHub fine-grained personal access token", Severity.CRITICAL,
        rb"\bgithub_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}\b", (b"github_pat_",),
    ),
    SecretRule(
        "gitlab-token", "GitLab token", Severity.CRITICAL,
        rb"\b(?:glpat|gldt|glrt|glcbt|glptt|glft|glimt|glagent|gloas)-[A-Za-z0-9_-]{20,}\b|\bGR1348941[A-Za-z0-9_-]{20,}\b",
        (b"glpat-", b"gldt-", b"glrt-", b"glcbt-", b"glptt-", b"glft-", b"glimt-", b"glagent-", b"gloas-",
         b"gr1348941"),
    ),
    SecretRule(
        "slack-token", "Slack token", Severity.HIGH,
        rb"\bxox[abposre]-[0-9A-Za-z-]{10,}\b|\bxapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+\b", (b"xox", b"xapp-"),
    ),
    SecretRule(
        "slack-webhook", "Slack incoming webhook URL", Severity.HIGH,
        rb"hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{20,}", (b"hooks.slack.com",),
    ),
    SecretRule(
        "stripe-key", "Stripe secret or restricted key", Severity.CRITICAL,
        rb"\b[rs]k_(?:live|test|prod)_[0-9A-Za-z]{24,247}\b", (b"sk_", b"rk_"),  # keys run up to 255 characters
    ),
    SecretRule(
        "google-api-key", "Google API key", Severity.HIGH, rb"\bAIza[0-9A-Za-z_-]{35}\b", (b"aiza",),
    ),
    SecretRule(
        "google-oauth-client-secret", "Google OAuth client secret", Severity.HIGH,
        rb"\bGOCSPX-[A-Za-z0-9_-]{28}\b", (b"gocspx-",),
    ),
    SecretRule(
        "huggingface-token", "Hugging Face access token", Severity.HIGH,
        rb"\b(?:hf_|api_org_)[A-Za-z]{34}\b", (b"hf_", b"api_org_"),
    ),
    SecretRule(
        "openai-api-key", "OpenAI API key", Severity.CRITICAL,
        rb"\bsk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}\b"
        rb"|\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{58,}\b",
        (b"sk-",),
    ),
    SecretRule(
        "anthropic-api-key", "Anthropic API key", Severity.CRITICAL,
        rb"\bsk-ant-(?:api|admin)\d\d-[A-Za-z0-9_-]{80,}\b", (b"sk-ant-",),
    ),
    SecretRule(
        "npm-token", "npm access token", Severity.HIGH, rb"\bnpm_[A-Za-z0-9]{36}\b", (b"npm_",),
    ),
    SecretRule(
        "pypi-token", "PyPI upload token", Severity.HIGH, rb"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}", (b"pypi-",),
    ),
    SecretRule(
        "sendgrid-api-key", "SendGrid API key", Severity.HIGH,
        rb"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b", (b"sg.",),
    ),
    SecretRule(
        "azure-storage-key", "Azure storage account key", Severity.CRITICAL,
        rb"AccountKey=[A-Za-z0-9+/]{86}==", (b"accountkey=",), rb"AccountKey=(?P<secret>.+)$",
    ),
    SecretRule(
        "telegram-bot-token", "Telegram bot token", Severity.HIGH,
        rb"\b\d{8,10}:AA[0-9A-Za-z_-]{33}\b", (b":aa",),
    ),
    SecretRule(
        "private-key", "Private key block", Severity.CRITICAL,
        rb"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----(?:[^-]|-[^-])+-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----",
        (b"private key",), cwe="CWE-321", max_length=20000,
    ),
    SecretRule(
        "jwt", "JSON Web Token", Severity.MEDIUM,
        rb"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}", (b"eyj",),
        validate=_valid_jwt,
    ),
    SecretRule(
        "connection-string-password", "Password in a connection string", Severity.HIGH,
        rb"\b[A-Za-z][A-Za-z0-9+.-]+://[^\s:@/'\"]+:[^\s@/'\"]+@[A-Za-z0-9._-]+", (b"://",),
        rb"://[^\s:@/'\"]+:(?P<secret>[^\s@/'\"]+)@", generic=True, min_entropy=2.0,
    ),
    SecretRule(
        "password-assignment", "Hard-coded password or key in an assignment", Severity.HIGH,
        _ASSIGN + rb"['\"]?\s*(?::|=|==|=>|:=|<-)\s*[rbuf]?['\"][^'\"\s]{8,128}['\"]",
        (b"pass", b"pwd", b"secret", b"token", b"key", b"auth"),
        _ASSIGN + rb"['\"]?\s*(?::|=|==|=>|:=|<-)\s*[rbuf]?['\"](?P<secret>[^'\"\s]{8,128})['\"]",
        caseless=True, generic=True, min_entropy=3.0, assignment="quoted",
    ),
    SecretRule(
        "env-password-assignment", "Hard-coded password or key in an environment file", Severity.HIGH,
        rb"(?:PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|APIKEY|ACCESS_KEY)[A-Z0-9_]*[ \t]*=[ \t]*[^\s'\"#]{8,128}",
        (b"pass", b"secret", b"token", b"key"),
        rb"=[ \t]*(?P<secret>[^\s'\"#]{8,128})$", generic=True, min_entropy=3.0, assignment="bare",
    ),
)  # fmt: skip

RULES_BY_ID = {rule.id: rule for rule in RULES}
