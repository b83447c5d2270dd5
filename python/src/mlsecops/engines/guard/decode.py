"""What an attacker hides in a prompt, decoded into layers the guard scores one by one.

Layers: Unicode tag characters, base64, hex, rot13, URL escapes, \\u/\\x escapes, HTML entities,
and a "deobfuscated" layer that undoes homoglyphs (Cyrillic/Greek look-alikes inside Latin words),
leetspeak inside words and letter-by-letter spacing. Each decoder only fires when the text
carries its mark, so ordinary prompts cost one pass of cheap regular expressions.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import html
import re
import unicodedata
import urllib.parse

# zero-width, bidi controls and soft hyphen: invisible characters that split trigger words
_INVISIBLE = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e\u200e\u200f"
             "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"),
    None,
)
TAG_RANGE = range(0xE0000, 0xE0080)
_TAGS = {cp: None for cp in TAG_RANGE}
_BASE64 = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=])")
_BASE64_URL = re.compile(r"(?<![A-Za-z0-9_\-=])[A-Za-z0-9_\-]{20,}={0,2}(?![A-Za-z0-9_\-=])")
_HEX = re.compile(r"\b(?:[0-9a-fA-F]{2}[ :]?){10,}\b")
_URL_ESC = re.compile(r"%[0-9A-Fa-f]{2}")
_UNI_ESC = re.compile(r"\\u[0-9A-Fa-f]{4}|\\x[0-9A-Fa-f]{2}|\\U[0-9A-Fa-f]{8}")
_ENTITY = re.compile(r"&#[xX]?[0-9A-Fa-f]{1,6};|&[a-zA-Z]{2,8};")
_WORDS = re.compile(r"[a-z]{2,}")
_SPACED = re.compile(r"(?:\b\w[ .\-_*]){5,}\w\b")
_LEET_WORD = re.compile(r"\b(?=\w*[a-zA-Z])(?=\w*[013457@$])[\w@$]{3,}\b")
_UNIT = re.compile(r"\d+(st|nd|rd|th|kg|g|km|m|cm|mm|gb|mb|tb|kb|k|x|s|h|ms|px|pm|am|d|v)|[a-z]+\d+")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
# Cyrillic and Greek letters that render like Latin ones
_HOMOGLYPHS = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
    "ԁ": "d", "ɡ": "g", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "А": "A", "В": "B", "Е": "E", "К": "K",
    "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S",
    "α": "a", "ο": "o", "ρ": "p", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "τ": "t", "υ": "u", "Α": "A",
    "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P",
    "Τ": "T", "Υ": "Y", "Χ": "X",
})
_MIXED_WORD = re.compile(r"\b(?=\w*[A-Za-z])(?=\w*[\u0370-\u03ff\u0400-\u04ff])\w+\b")
# Common English words: rot13 text decodes to many of them, ordinary text rot13-encoded loses them.
_ENGLISH = frozenset(
    [
        "the", "and", "you", "your", "all", "to", "of", "is", "are", "be", "it", "this", "that", "with", "for",
        "not", "now", "from", "ignore", "instructions", "previous", "rules", "system", "prompt", "tell", "me",
        "print", "reveal", "what", "any", "no",
    ]
)


def strip_invisible(text: str) -> str:
    return text.translate(_INVISIBLE).translate(_TAGS)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).translate(_TAGS)
    return re.sub(r"\s+", " ", text).strip()


def hidden_tag_text(text: str) -> str:
    """Text smuggled in Unicode tag characters (invisible in most renderers)."""
    return "".join(chr(ord(ch) - 0xE0000) for ch in text if ord(ch) in TAG_RANGE)


def decoded_layers(text: str) -> list[tuple[str, str]]:
    """(layer, text) pairs for every payload hidden in `text` that decodes to readable text."""
    layers: list[tuple[str, str]] = []
    tags = hidden_tag_text(text)
    if tags:
        layers.append(("unicode-tags", tags))
    for match in _BASE64.finditer(text):
        decoded = _printable(_b64(match.group(0)))
        if decoded:
            layers.append(("base64", decoded))
    for match in _BASE64_URL.finditer(text):
        if "-" in match.group(0) or "_" in match.group(0):
            decoded = _printable(_b64(match.group(0), urlsafe=True))
            if decoded:
                layers.append(("base64", decoded))
    for match in _HEX.finditer(text):
        decoded = _printable(_unhex(re.sub(r"[ :]", "", match.group(0))))
        if decoded:
            layers.append(("hex", decoded))
    rot = codecs.decode(text, "rot13")
    if _english_words(rot) >= _english_words(text) + 2:
        layers.append(("rot13", rot))
    if len(_URL_ESC.findall(text)) >= 3:
        layers.append(("url", urllib.parse.unquote(text.replace("+", " "))))
    if len(_UNI_ESC.findall(text)) >= 3:
        layers.append(("unicode-escape", _UNI_ESC.sub(lambda m: _unescape(m.group(0)), text)))
    if len(_ENTITY.findall(text)) >= 3:
        layers.append(("html-entities", html.unescape(text)))
    plain = strip_invisible(text)
    clean = deobfuscate(plain)
    if clean != plain:
        layers.append(("deobfuscated", clean))
    return layers


def deobfuscate(text: str) -> str:
    """Undo homoglyphs in mixed-script words, leetspeak inside words, and s p a c e d letters."""
    text = _MIXED_WORD.sub(lambda m: m.group(0).translate(_HOMOGLYPHS), text)
    text = _LEET_WORD.sub(_unleet, text)
    return _SPACED.sub(lambda m: re.sub(r"[ .\-_*]", "", m.group(0)), text)


def _unleet(match: re.Match[str]) -> str:
    word = match.group(0)
    # numbers with a unit ("10kg", "3rd") stay; a word with digits between letters is leetspeak
    if _UNIT.fullmatch(word.lower()) or sum(ch.isalpha() for ch in word) < 2:
        return word
    return word.translate(_LEET)


def _unescape(token: str) -> str:
    try:
        return chr(int(token[2:], 16))
    except ValueError:
        return token


def _b64(chunk: str, urlsafe: bool = False) -> bytes:
    padded = chunk + "=" * (-len(chunk) % 4)
    try:
        return base64.urlsafe_b64decode(padded) if urlsafe else base64.b64decode(padded, validate=False)
    except (binascii.Error, ValueError):
        return b""


def _unhex(chunk: str) -> bytes:
    try:
        return bytes.fromhex(chunk)
    except ValueError:
        return b""


def _printable(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return ""
    if len(text) < 8 or sum(ch.isprintable() or ch.isspace() for ch in text) < 0.95 * len(text):
        return ""
    return text if " " in text else ""


def _english_words(text: str) -> int:
    return sum(1 for word in _WORDS.findall(text.lower()) if word in _ENGLISH)
