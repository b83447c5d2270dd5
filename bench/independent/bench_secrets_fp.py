"""False positives of `mlsecops scan secrets` on real ML source trees nobody on the project wrote.

    .venv/bin/python bench/independent/bench_secrets_fp.py [--site-packages DIR]

Scans the installed packages of transformers, torch, keras, scikit-learn and garak (the
folders in the venv's site-packages) one by one, as a user would scan a vendored copy. These
trees hold no real credentials, so every finding counts as a false positive. Prints the number
of findings per package and in total, and the first 20 findings as rule, file and line (never
the matched value nor the redacted evidence); the last line is a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import sysconfig
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# distribution name -> import folder
PACKAGES = {
    "transformers": "transformers",
    "torch": "torch",
    "keras": "keras",
    "scikit-learn": "sklearn",
    "garak": "garak",
}


def mlsecops_bin() -> str:
    venv = ROOT / ".venv" / "bin" / "mlsecops"
    return str(venv) if venv.exists() else "mlsecops"


def default_site_packages() -> Path:
    venv_py = ROOT / ".venv" / "bin" / "python"
    if venv_py.exists():
        out = subprocess.run(
            [str(venv_py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=False,
            capture_output=True,
            text=True,
        )
        if out.returncode == 0 and out.stdout.strip():
            return Path(out.stdout.strip())
    return Path(sysconfig.get_paths()["purelib"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site-packages", type=Path, default=None)
    parser.add_argument("--first", type=int, default=20, help="how many findings to list")
    args = parser.parse_args(argv)
    site = args.site_packages or default_site_packages()

    per_package: dict[str, int | None] = {}
    walls: dict[str, float] = {}
    rules: Counter[str] = Counter()
    listed: list[str] = []
    errors: dict[str, str] = {}
    for dist, folder in PACKAGES.items():
        path = site / folder
        if not path.is_dir():
            per_package[dist] = None
            errors[dist] = f"not installed in {site}"
            continue
        t0 = time.perf_counter()
        proc = subprocess.run(
            [mlsecops_bin(), "scan", "secrets", str(path), "--format", "json", "--fail-on", "never"],
            check=False,
            capture_output=True,
            text=True,
        )
        walls[dist] = round(time.perf_counter() - t0, 2)
        if proc.returncode not in (0, 1):
            per_package[dist] = None
            errors[dist] = f"exit {proc.returncode}: {proc.stderr.strip()[:200]}"
            continue
        findings = json.loads(proc.stdout)["findings"]
        per_package[dist] = len(findings)
        for f in findings:
            rules[str(f.get("rule"))] += 1
            if len(listed) < args.first:
                loc = f.get("location") or {}
                listed.append(
                    f"  {dist:<13}{f.get('rule')!s:<36}{folder}/{loc.get('path')}:{loc.get('line')}  "
                    f"[{f.get('severity')}]"
                )

    total = sum(n for n in per_package.values() if n is not None)
    print(f"mlsecops scan secrets over {site}")
    for dist, n in per_package.items():
        shown = "not scanned: " + errors[dist] if n is None else f"{n} finding(s) in {walls[dist]:.1f} s"
        print(f"  {dist:<13}{shown}")
    print(f"  total        {total} finding(s)" + (f"; by rule: {dict(rules)}" if rules else ""))
    if listed:
        print(f"first {len(listed)} finding(s) (rule, file, line; values never shown):")
        print("\n".join(listed))
    print(
        json.dumps(
            {
                "bench": "secrets_fp",
                "total": total,
                "per_package": per_package,
                "by_rule": dict(rules),
                "wall_s": walls,
                "errors": errors,
            },
            sort_keys=True,
        )
    )
    return 3 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
