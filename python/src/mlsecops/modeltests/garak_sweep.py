"""Find the garak probes that run with no download: run each probe alone, offline, and keep the ones
that produce `eval` records.

    python -m mlsecops.modeltests.garak_sweep OUT_DIR [--timeout 120]

Writes OUT_DIR/sweep.json ({probe: {"status": ..., "seconds": ...}}); the `offline` profile in
resources/org/mlsecops/garak/offline.yaml is the list of probes whose status is "ok".
Run it again after a garak upgrade. Each run is offline (HF_HUB_OFFLINE=1) and targets a
function that echoes a refusal, so probes needing a model, a dataset or a network fail here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def list_probes(env: dict[str, str]) -> list[str]:
    listing = subprocess.run(
        [sys.executable, "-m", "garak", "--list_probes"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    ).stdout
    names = []
    for line in _ANSI.sub("", listing).splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "probes:" and "." in parts[1]:
            names.append(parts[1])
    return names


def sweep(out: Path, timeout: float) -> dict[str, dict[str, object]]:
    out.mkdir(parents=True, exist_ok=True)
    (out / "sweep_target.py").write_text(
        "def reply(prompt, **kwargs):\n    return ['I am sorry, I cannot help with that request.']\n", encoding="utf-8"
    )
    env = dict(os.environ)
    env.update(
        HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_DATASETS_OFFLINE="1", PYTHONPATH=str(out),
        XDG_DATA_HOME=str(out / "xdg/data"), XDG_CONFIG_HOME=str(out / "xdg/config"),
        XDG_CACHE_HOME=str(out / "xdg/cache"), HF_HOME=str(out / "hf"),
        NLTK_DATA=str(out / "nltk"),
    )
    (out / "config.yaml").write_text(
        "run: {generations: 1, soft_probe_prompt_cap: 1, seed: 1}\n"
        f"reporting: {{report_dir: {out / 'reports'}}}\n",
        encoding="utf-8",
    )
    results: dict[str, dict[str, object]] = {}
    for probe in list_probes(env):
        prefix = probe.replace(".", "_")
        started = time.monotonic()
        try:
            subprocess.run(
                [sys.executable, "-m", "garak", "--config", str(out / "config.yaml"), "--target_type", "function",
                 "--target_name", "sweep_target#reply", "--probes", probe, "--report_prefix", prefix],
                capture_output=True, env=env, timeout=timeout, check=False,
            )
            status = "ok" if _has_eval(out / "reports" / f"{prefix}.report.jsonl") else "no-eval"
        except subprocess.TimeoutExpired:
            status = "timeout"
        results[probe] = {"status": status, "seconds": round(time.monotonic() - started, 1)}
        (out / "sweep.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    return results


def write_profiles(results: dict[str, dict[str, object]], out: Path, garak_version: str) -> dict[str, int]:
    """offline.yaml (every probe that ran offline), standard.yaml (those garak runs by default, i.e. the
    active ones) and full.yaml (every probe, active or not: needs network) from a sweep."""
    import yaml

    from mlsecops.modeltests.garak_report import probe_catalogue

    catalogue = probe_catalogue()
    # garak's own `test` probes (blank prompt, "any output is a hit") are plumbing checks, not attacks
    offline = sorted(p for p, r in results.items() if r["status"] == "ok" and not p.startswith("test."))
    profiles = {
        "offline": (offline, f"Every probe of garak {garak_version} that ran with no download in the sweep"),
        "standard": ([p for p in offline if catalogue.get(p, {}).get("active")],
                     "The probes garak runs by default (active), minus those that need a download"),
        "full": (sorted(p for p in catalogue if not p.startswith("test.")),
                 "Every probe, active or not; about 30 need network (datasets, models)"),
    }
    counts = {}
    for name, (probes, description) in profiles.items():
        header = (f"# garak probe profile `{name}`, written by `python -m mlsecops.modeltests.garak_sweep` "
                  f"({len(offline)} of {len(results)} probes ran offline).\n")
        document: dict[str, object] = {"garak_version": garak_version, "description": description, "probes": probes}
        if name == "offline":  # the record of the sweep: what did not run, and how it failed
            document["not_offline"] = {p: r["status"] for p, r in sorted(results.items()) if p not in offline}
            document["not_offline"].update({p: "garak test plugin, not an attack" for p in results
                                            if p.startswith("test.")})
        body = yaml.safe_dump(document, sort_keys=False)
        (out / f"{name}.yaml").write_text(header + body, encoding="utf-8")
        counts[name] = len(probes)
    return counts


def _has_eval(report: Path) -> bool:
    """At least one eval record that judged something (a probe with no prompts offline has totals of 0)."""
    if not report.is_file():
        return False
    from mlsecops.modeltests.garak_report import read_report

    return any(entry.rate.total > 0 for entry in read_report(report).rates)


def rejudge(out: Path) -> dict[str, dict[str, object]]:
    """Statuses of an earlier sweep judged again from its reports (after a change of what "ran" means)."""
    results = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    for probe, result in results.items():
        if result["status"] != "timeout":
            report = out / "reports" / f"{probe.replace('.', '_')}.report.jsonl"
            result["status"] = "ok" if _has_eval(report) else "no-eval"
    return results


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python -m mlsecops.modeltests.garak_sweep OUT_DIR [--timeout SECONDS] [--rejudge] "
                 "[--write-profiles DIR]")
    out_dir = Path(sys.argv[1])
    if "--rejudge" in sys.argv:
        found = rejudge(out_dir)
    else:
        limit = float(sys.argv[sys.argv.index("--timeout") + 1]) if "--timeout" in sys.argv else 120.0
        found = sweep(out_dir, limit)
    ok = [p for p, r in found.items() if r["status"] == "ok"]
    print(f"{len(ok)} of {len(found)} probes run offline")
    if "--write-profiles" in sys.argv:
        from importlib.metadata import version

        written = write_profiles(found, Path(sys.argv[sys.argv.index("--write-profiles") + 1]), version("garak"))
        print("profiles: " + ", ".join(f"{name} ({count} probes)" for name, count in written.items()))
