"""Prompt-injection guard: precision, recall and F1 on the shipped evaluation set, per category, and speed.

Usage: python bench/bench_guard.py [--threshold 0.5]

Also scores the guard's hand-written multilingual dev set (bench/guard_dev_set.jsonl: never trained
on, but the n-gram model's threshold was chosen on it; its hard negatives name their kind) and, on both sets, the rules alone and the
combined guard (rules + n-gram model), so the model's share is visible. The independent set in
bench/independent/ is scored by bench/independent/bench_guard_independent.py, not here.

The evaluation set (python/src/mlsecops/engines/guard/data/guard_eval.jsonl) was written by the team
that wrote the rules, so these numbers are an upper bound for unseen attacks; the keyword
baseline beside it is what a grep for the usual phrases ("ignore previous instructions",
"system prompt", "jailbreak", "DAN") would give, which is where Vigil-style word lists start.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import defaultdict
from pathlib import Path

EVAL_SET = Path(__file__).resolve().parents[1] / "python/src/mlsecops/engines/guard/data/guard_eval.jsonl"
DEV_SET = Path(__file__).resolve().parent / "guard_dev_set.jsonl"
KEYWORDS = re.compile(
    r"ignore (all )?(previous|prior|the above)|disregard|system prompt|jailbreak|\bDAN\b|developer mode|"
    r"do anything now|reveal|no restrictions",
    re.IGNORECASE,
)


def metrics(pairs: list[tuple[bool, bool]]) -> dict[str, float]:
    tp = sum(1 for said, truth in pairs if said and truth)
    fp = sum(1 for said, truth in pairs if said and not truth)
    fn = sum(1 for said, truth in pairs if not said and truth)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threshold", type=float, default=0.5)
    args = parser.parse_args()
    from mlsecops.engines.guard.detector import InjectionGuard

    rows = [json.loads(line) for line in EVAL_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    guard = InjectionGuard(threshold=args.threshold)
    started = time.perf_counter()
    verdicts = [guard.check(row["text"]) for row in rows]
    seconds = time.perf_counter() - started
    truth = [row["label"] == "injection" for row in rows]
    ours = metrics([(v.injection, t) for v, t in zip(verdicts, truth, strict=True)])
    baseline = metrics([(bool(KEYWORDS.search(row["text"])), t) for row, t in zip(rows, truth, strict=True)])
    print(f"evaluation set: {sum(truth)} injections, {len(truth) - sum(truth)} benign ({EVAL_SET.name})")
    rules_only = InjectionGuard(threshold=args.threshold, use_model=False)
    rules = metrics([(rules_only.check(row["text"]).injection, t) for row, t in zip(rows, truth, strict=True)])
    for label, m in (("mlsecops guard", ours), ("rules alone", rules), ("keyword baseline", baseline)):
        print(f"{label:17} precision {m['precision']:.3f}  recall {m['recall']:.3f}  F1 {m['f1']:.3f}  "
              f"(tp {m['tp']}, fp {m['fp']}, fn {m['fn']})")
    print(f"speed: {1000 * seconds / len(rows):.3f} ms per text ({len(rows) / seconds:.0f} texts/s)")
    by_category: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for row, verdict, is_attack in zip(rows, verdicts, truth, strict=True):
        by_category[row["category"]].append((verdict.injection, is_attack))
    print("per category (share judged correctly):")
    for category, pairs in sorted(by_category.items()):
        correct = sum(1 for said, t in pairs if said == t)
        print(f"  {category:22} {correct:>3}/{len(pairs):<3} {correct / len(pairs):.0%}")
    dev_set(guard, rules_only)


def dev_set(guard: object, rules_only: object) -> None:
    rows = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    truth = [row["label"] == "injection" for row in rows]
    print(f"\ndev set: {sum(truth)} injections, {len(truth) - sum(truth)} benign, "
          f"{len({row['lang'] for row in rows})} languages ({DEV_SET.name})")
    for label, detector in (("mlsecops guard", guard), ("rules alone", rules_only)):
        said = [detector.check(row["text"]).injection for row in rows]  # type: ignore[attr-defined]
        m = metrics(list(zip(said, truth, strict=True)))
        hard = [s for s, row in zip(said, rows, strict=True) if row["category"] == "hard"]
        print(f"{label:17} precision {m['precision']:.3f}  recall {m['recall']:.3f}  F1 {m['f1']:.3f}  "
              f"hard-negative FP {sum(hard)}/{len(hard)} ({sum(hard) / len(hard):.1%})")
        if detector is guard:
            # the kinds of benign text the independent set found false alarms in (guard_corpus_hard)
            kinds: dict[str, list[bool]] = defaultdict(list)
            for flagged, row in zip(said, rows, strict=True):
                if row["category"] == "hard":
                    kinds[row.get("kind", "other")].append(flagged)
            print("  hard negatives flagged, per kind: " + ", ".join(
                f"{kind} {sum(v)}/{len(v)}" for kind, v in sorted(kinds.items())))
            attacks: dict[str, list[bool]] = defaultdict(list)
            for flagged, row in zip(said, rows, strict=True):
                if row["label"] == "injection":
                    attacks[row["category"]].append(flagged)
            print("  recall per attack family: " + ", ".join(
                f"{family} {sum(v)}/{len(v)}" for family, v in sorted(attacks.items())))


if __name__ == "__main__":
    main()
