"""A source tree with planted secrets and look-alike decoys, for the secrets benchmark.

Usage: python bench/gen_secrets_tree.py OUT_DIR [--megabytes 20] [--secrets 100] [--seed S]
Writes code, config, docs, data and lock files (and a few minified one-line bundles) of
about the given size, plants `--secrets` secrets of every provider shape the built-in
engine knows (values from tests/python/scanner_support/fake_secrets.py, random per seed),
and records them in OUT_DIR.planted.json as {path, line, rule}. Decoys that tools commonly
mistake for secrets are spread everywhere: lock-file integrity hashes, git SHAs, UUIDs,
hex digests, base64 images, AWS's documented EXAMPLE keys, placeholders (`changeme`,
`${VAR}`, `<your-token>`, `{{ vault }}`), environment lookups, test passwords.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import random
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "python"))

from scanner_support.fake_secrets import (
    PLANTERS,  # the same shapes the unit tests plant
)

# no secret-ish words (token, key, secret): a random value named `vocab_token` is a secret to any scanner
WORDS = ("model", "train", "batch", "config", "loader", "tensor", "vocab", "metric", "score", "layer", "weight",
         "request", "client", "session", "user", "order", "ticket", "label", "feature", "encoder", "cache", "path")


def identifier(rng: random.Random) -> str:
    return "_".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))


def decoy(rng: random.Random) -> str:
    """One line that looks secret-ish to a naive scanner and is not a secret."""
    choices: list[Callable[[], str]] = [
        lambda: f'    "integrity": "sha512-{base64.b64encode(rng.randbytes(64)).decode()}",',
        lambda: f"# fixed in commit {rng.randbytes(20).hex()}",
        lambda: f'{identifier(rng)}_id = "{uuid.UUID(int=rng.getrandbits(128))}"',
        lambda: f'checksum = "{hashlib.sha256(rng.randbytes(8)).hexdigest()}"',
        lambda: f'md5: "{hashlib.md5(rng.randbytes(8)).hexdigest()}"',
        lambda: f"![plot](data:image/png;base64,{base64.b64encode(rng.randbytes(90)).decode()})",
        lambda: 'aws_access_key_id = "AKIAIOSFODNN7EXAMPLE"',  # AWS's documented example pair
        lambda: 'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"',
        lambda: 'password = "changeme"',
        lambda: 'api_key = "<your-api-key>"',
        lambda: 'token: "${GITHUB_TOKEN}"',
        lambda: 'db_password: "{{ vault_db_password }}"',
        lambda: 'secret = os.environ["APP_SECRET"]',
        lambda: "password = getpass.getpass()",
        lambda: 'DATABASE_URL = "postgres://app:${PGPASSWORD}@db:5432/app"',
        lambda: 'test_password = "test"',
        lambda: f'{identifier(rng)}_key = "{identifier(rng)}"',
        lambda: f"version = '{rng.randint(0, 9)}.{rng.randint(0, 40)}.{rng.randint(0, 99)}'",
        lambda: f'"{identifier(rng)}": "{base64.b64encode(rng.randbytes(24)).decode()}",  # serialized weights',
    ]
    return rng.choice(choices)()


def code_line(rng: random.Random) -> str:
    name, other = identifier(rng), identifier(rng)
    return rng.choice((
        f"{name} = {other}({rng.randint(0, 999)})",
        f"def {name}({other}):",
        f"    return {name}.{other}",
        f"# {' '.join(rng.choice(WORDS) for _ in range(rng.randint(3, 10)))}",
        f'{name}: "{other}"',
        f"if {name} > {rng.randint(1, 100)}:",
        f'    logger.info("{name} %s", {other})',
        "",
    ))


SUFFIXES = (".py", ".py", ".py", ".js", ".yaml", ".json", ".md", ".txt", ".env", ".cfg", ".ts", ".go")


def generate(out: Path, megabytes: float, secrets: int, seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    files: list[list[str]] = []
    paths: list[Path] = []
    budget = int(megabytes * 1024 * 1024)
    size = 0
    while size < budget * 0.85:  # lock files and bundles make up the rest
        folder = Path(*(rng.choice(WORDS) for _ in range(rng.randint(1, 3))))
        path = folder / f"{identifier(rng)}_{len(paths)}{rng.choice(SUFFIXES)}"
        lines = [decoy(rng) if rng.random() < 0.03 else code_line(rng) for _ in range(rng.randint(20, 600))]
        files.append(lines)
        paths.append(path)
        size += sum(len(line) + 1 for line in lines)
    # lock files and minified bundles: one hash per line, or one huge line
    for index in range(3):
        lock = [json.dumps({"name": f"pkg{i}", "version": f"1.{i}.0", "integrity":
                            "sha512-" + base64.b64encode(rng.randbytes(64)).decode()}) for i in range(2000)]
        files.append(lock)
        paths.append(Path(f"frontend{index}/package-lock.json"))
        bundle = ";".join(f"var v{i}=\"{' '.join(rng.choice(WORDS) for _ in range(4))}\"" for i in range(budget // 1500))
        files.append([bundle])
        paths.append(Path(f"static/bundle{index}.min.js"))
    rules = sorted(PLANTERS)
    plants: dict[int, list[tuple[int, str, list[str]]]] = {}
    for index in range(secrets):
        rule = rules[index % len(rules)]
        factory, template = PLANTERS[rule]
        target = rng.randrange(len(files) - 6)  # code files, not the lock files or bundles
        block = template(factory(rng)).rstrip("\n").split("\n")
        plants.setdefault(target, []).append((rng.randint(0, len(files[target])), rule, block))
    planted: list[dict[str, object]] = []
    for target, entries in plants.items():
        merged: list[str] = []
        taken_until = 0
        for position, rule, block in sorted(entries, key=lambda e: e[0]):
            merged += files[target][taken_until:position]
            taken_until = position
            planted.append({"path": paths[target].as_posix(), "line": len(merged) + 1, "rule": rule})
            merged += block
        files[target] = merged + files[target][taken_until:]
    for path, lines in zip(paths, files, strict=True):
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_text("\n".join(lines) + "\n")
    return sorted(planted, key=lambda e: (str(e["path"]), int(str(e["line"]))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--megabytes", type=float, default=20)
    parser.add_argument("--secrets", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    planted = generate(args.out, args.megabytes, args.secrets, args.seed)
    args.out.with_suffix(".planted.json").write_text(json.dumps(planted, indent=1))
    print(f"wrote {args.out} with {len(planted)} planted secrets; list in {args.out.with_suffix('.planted.json')}")


if __name__ == "__main__":
    main()
