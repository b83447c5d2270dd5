"""Score `mlsecops guard check` on the independent prompt-injection set.

    .venv/bin/python bench/independent/bench_guard_independent.py [--set FILE] [--threshold X]

injection_set.jsonl (150 injections, 150 benign prompts of which 55 are hard negatives, 21
languages) was written by hand by someone who has not read the guard's rules or its own
evaluation set. The guard runs as a black box through its CLI: one-line prompts in one batch
(`guard check --file F --json`, one verdict per line), prompts that span several lines one
process each (`guard check --json -- TEXT`), so that every prompt is judged whole, as an
application would pass it.

Speed: the whole set (newlines folded to spaces) repeated to 1,500 lines in one batch, minus
the start-up time of a one-line batch (best of three each), divided by the number of lines.

Prints precision, recall and F1 (injection is the positive class), the false-positive rate on
hard negatives and on ordinary benign prompts, recall per category and per language, and a JSON
summary as the last line. Only aggregates and prompt ids are printed, never the texts.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
# Characters Python's str.splitlines() breaks on: a prompt holding any of them is not one line.
LINE_BREAKS = set("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def mlsecops_bin() -> str:
    venv = ROOT / ".venv" / "bin" / "mlsecops"
    return str(venv) if venv.exists() else "mlsecops"


def guard_cmd(threshold: float | None) -> list[str]:
    cmd = [mlsecops_bin(), "guard", "check", "--json"]
    if threshold is not None:
        cmd += ["--threshold", str(threshold)]
    return cmd


def run(cmd: list[str]) -> list[dict[str, object]]:
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, encoding="utf-8")
    if proc.returncode not in (0, 1):
        raise SystemExit(f"guard check failed (exit {proc.returncode}): {proc.stderr.strip()[:300]}")
    verdicts = json.loads(proc.stdout)
    return verdicts if isinstance(verdicts, list) else [verdicts]


def judge(prompts: list[dict[str, object]], threshold: float | None, work: Path) -> dict[str, bool]:
    """Return {id: flagged} for every prompt."""
    flagged: dict[str, bool] = {}
    single = [p for p in prompts if not LINE_BREAKS & set(str(p["text"]))]
    multi = [p for p in prompts if LINE_BREAKS & set(str(p["text"]))]
    batch = work / "single.txt"
    batch.write_text("".join(f"{p['text']}\n" for p in single), encoding="utf-8")
    by_line = {int(str(v["line"])): bool(v["injection"]) for v in run([*guard_cmd(threshold), "--file", str(batch)])}
    for line_no, p in enumerate(single, start=1):
        if line_no not in by_line:
            raise SystemExit(f"guard check returned no verdict for line {line_no} ({p['id']})")
        flagged[str(p["id"])] = by_line[line_no]
    for p in multi:
        verdicts = run([*guard_cmd(threshold), "--", str(p["text"])])
        flagged[str(p["id"])] = any(bool(v["injection"]) for v in verdicts)
    return flagged


def best_of(n: int, cmd: list[str]) -> float:
    best = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=False, capture_output=True)
        best = min(best, time.perf_counter() - t0)
    return best


def speed(prompts: list[dict[str, object]], threshold: float | None, work: Path, lines: int = 1500) -> dict[str, float]:
    flat = ["".join(" " if c in LINE_BREAKS else c for c in str(p["text"])) for p in prompts]
    big = work / "speed.txt"
    big.write_text("".join(f"{flat[i % len(flat)]}\n" for i in range(lines)), encoding="utf-8")
    one = work / "one.txt"
    one.write_text(flat[0] + "\n", encoding="utf-8")
    startup = best_of(3, [*guard_cmd(threshold), "--file", str(one)])
    total = best_of(3, [*guard_cmd(threshold), "--file", str(big)])
    return {
        "startup_s": round(startup, 3),
        "batch_s": round(total, 3),
        "lines": lines,
        "ms_per_prompt": round(max(total - startup, 0.0) / lines * 1000, 3),
    }


def ratio(hit: int, total: int) -> float:
    return round(hit / total, 4) if total else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=HERE / "injection_set.jsonl")
    parser.add_argument("--threshold", type=float, default=None, help="passed to guard check (default: its own)")
    parser.add_argument("--show-misses", action="store_true", help="list the ids of missed injections and false alarms")
    args = parser.parse_args(argv)

    prompts = [json.loads(line) for line in args.set.read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory(prefix="guard-indep-") as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        flagged = judge(prompts, args.threshold, work)
        judge_s = time.perf_counter() - t0
        timing = speed(prompts, args.threshold, work)

    inj = [p for p in prompts if p["label"] == "injection"]
    ben = [p for p in prompts if p["label"] == "benign"]
    hard = [p for p in ben if p["hard_negative"]]
    plain = [p for p in ben if not p["hard_negative"]]
    tp = sum(flagged[p["id"]] for p in inj)
    fp = sum(flagged[p["id"]] for p in ben)
    fn = len(inj) - tp
    precision = ratio(tp, tp + fp)
    recall = ratio(tp, len(inj))
    f1 = round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0
    hn_fpr = ratio(sum(flagged[p["id"]] for p in hard), len(hard))
    plain_fpr = ratio(sum(flagged[p["id"]] for p in plain), len(plain))

    def recall_by(key: str) -> dict[str, dict[str, float | int]]:
        total: Counter[str] = Counter(str(p[key]) for p in inj)
        hit: Counter[str] = Counter(str(p[key]) for p in inj if flagged[p["id"]])
        return {k: {"recall": ratio(hit[k], n), "n": n} for k, n in sorted(total.items())}

    per_cat = recall_by("category")
    per_lang = recall_by("language")
    hn_cat: Counter[str] = Counter(str(p["category"]) for p in hard if flagged[p["id"]])

    n_multi = sum(1 for p in prompts if LINE_BREAKS & set(p["text"]))
    print(
        f"set: {args.set.name}: {len(inj)} injections, {len(ben)} benign ({len(hard)} hard negatives), "
        f"{len({p['language'] for p in prompts})} language tags; {n_multi} multi-line prompts judged one process each"
    )
    print(f"mlsecops guard check (threshold {args.threshold if args.threshold is not None else 'default'}):")
    print(f"  precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}  (tp {tp}, fp {fp}, fn {fn})")
    print(
        f"  false-positive rate: hard negatives {hn_fpr:.3f} ({sum(hn_cat.values())}/{len(hard)}), "
        f"ordinary benign {plain_fpr:.3f}"
    )
    if hn_cat:
        print(f"  hard-negative false alarms by kind: {dict(hn_cat)}")
    print("  recall per category:")
    for k, v in per_cat.items():
        print(f"    {k:<26}{v['recall']:>6.2f}  (n={v['n']})")
    print("  recall per language: " + ", ".join(f"{k} {v['recall']:.2f} (n={v['n']})" for k, v in per_lang.items()))
    print(
        f"  speed: {timing['ms_per_prompt']:.3f} ms per prompt after start-up ({timing['lines']} lines in "
        f"{timing['batch_s']:.2f} s, start-up {timing['startup_s']:.2f} s); whole evaluation {judge_s:.1f} s"
    )
    if args.show_misses:
        print("  missed: " + " ".join(str(p["id"]) for p in inj if not flagged[p["id"]]))
        print("  false alarms: " + " ".join(str(p["id"]) for p in ben if flagged[p["id"]]))
    summary = {
        "bench": "guard_independent",
        "n_injection": len(inj),
        "n_benign": len(ben),
        "n_hard_negative": len(hard),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "hard_negative_fpr": hn_fpr,
        "benign_fpr": plain_fpr,
        "recall_per_category": {k: v["recall"] for k, v in per_cat.items()},
        "recall_per_language": {k: v["recall"] for k, v in per_lang.items()},
        **timing,
    }
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
