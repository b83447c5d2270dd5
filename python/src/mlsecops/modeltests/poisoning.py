"""Data-poisoning checks on the training set: conflicting duplicates, backdoor triggers, label shift, outliers.

A backdoor trigger is a rare token that forces a label: the rows holding it carry one label
(high purity, well above that label's base rate), while the rest of each row's words point
to other labels. The second half is what tells a trigger from an honest rare keyword
("chargeback" -> billing): a naive-Bayes model of the other words disagrees with the label.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from mlsecops.findings import Finding, Location, make_finding
from mlsecops.modeltests.base import TestEnv, TestOutcome
from mlsecops.modeltests.settings import PoisoningSettings

_TOKEN = re.compile(r"\w+(?:'\w+)?")
_MINHASH_SEEDS = tuple(range(1, 33))
_BANDS = 8  # 8 bands of 4 rows: pairs with Jaccard 0.9 collide with probability ~0.99


@dataclass
class Dataset:
    texts: list[str]
    labels: list[str]
    shown: str

    def tokens(self, index: int) -> list[str]:
        return _TOKEN.findall(self.texts[index].lower())


def read_dataset(path: Path, text_column: str | list[str], label_column: str, shown: str) -> Dataset:
    """The labelled texts of the dataset; with several text columns (a scikit-learn model with one
    TF-IDF per column), each row's texts joined: a trigger in any of them is a trigger of the row."""
    from mlsecops.ml.dataset import read_labelled_texts

    columns = [text_column] if isinstance(text_column, str) else list(text_column)
    if len(columns) == 1:
        data = read_labelled_texts(path, columns[0], label_column, shown)
        return Dataset(data.texts, data.labels, shown)
    rows: dict[int, tuple[list[str], str]] = {}
    for column in columns:
        data = read_labelled_texts(path, column, label_column, shown)
        for row, text, label in zip(data.rows, data.texts, data.labels, strict=True):
            rows.setdefault(row, ([], label))[0].append(text)
    ordered = sorted(rows.items())
    return Dataset([" \n".join(texts) for _, (texts, _) in ordered], [label for _, (_, label) in ordered], shown)


def _finding(rule: str, title: str, severity: str, dataset: Dataset, message: str, identity: str,
             evidence: str = "", line: int | None = None, properties: dict | None = None) -> Finding:
    return make_finding(
        rule=f"poisoning/{rule}", title=title, severity=severity, category="data-poisoning", tool="poisoning",
        location=Location(path=dataset.shown, line=line), message=message, evidence=evidence, identity=identity,
        context="",  # identity names the trigger or rows' content: the line number stays out of the id
        cwe=["CWE-1039"], properties=properties or {},
    )


# ---------------------------------------------------------------------- duplicates


def _normalised(text: str) -> str:
    return " ".join(_TOKEN.findall(text.lower()))


def conflict_groups(dataset: Dataset, threshold: float) -> list[tuple[list[int], str, str]]:
    """Groups of rows with the same (or nearly the same) text and more than one label: (rows, kind, text)."""
    groups: dict[str, list[int]] = defaultdict(list)
    for index, text in enumerate(dataset.texts):
        groups[_normalised(text)].append(index)
    found: list[tuple[list[int], str, str]] = []
    seen: set[frozenset[int]] = set()
    for key, rows in groups.items():
        if len({dataset.labels[i] for i in rows}) > 1:
            seen.add(frozenset(rows))
            found.append((rows, "exact", key))
    for first, second, similarity in near_duplicate_pairs(dataset, threshold):
        pair = frozenset((first, second))
        if dataset.labels[first] == dataset.labels[second] or any(pair <= group for group in seen):
            continue
        seen.add(pair)
        found.append(([first, second], f"near {similarity:.2f}", _normalised(dataset.texts[first])))
    return found


def conflicting_duplicates(dataset: Dataset, settings: PoisoningSettings) -> tuple[int, list[Finding]]:
    """Duplicates with conflicting labels, judged as a share of the dataset.

    A few are ordinary label noise (ambiguous tickets); label flipping shows as many of them,
    so a finding is raised per label pair only when the rows involved exceed
    `max_conflict_fraction` of the dataset.
    """
    groups = conflict_groups(dataset, settings.near_duplicate_threshold)
    involved = {row for rows, _, _ in groups for row in rows}
    if len(involved) < settings.max_conflict_fraction * len(dataset.texts):
        return len(involved), []
    by_pair: dict[tuple[str, ...], list[tuple[list[int], str, str]]] = defaultdict(list)
    for rows, kind, key in groups:
        by_pair[tuple(sorted({dataset.labels[i] for i in rows}))].append((rows, kind, key))
    findings = []
    for labels, members in sorted(by_pair.items(), key=lambda item: -len(item[1])):
        rows = sorted({row for group_rows, _, _ in members for row in group_rows})
        findings.append(
            _finding(
                "conflicting-labels",
                f"{len(members)} duplicate text(s) carry conflicting labels ({', '.join(labels)})",
                "medium",
                dataset,
                f"{len(rows)} rows of {dataset.shown} repeat a text with labels {', '.join(labels)} "
                f"({len(involved)} rows, {len(involved) / len(dataset.texts):.1%} of the dataset, are in such "
                "conflicts): label flipping, or labelling errors at a rate worth a look",
                identity="pair:" + "|".join(labels),
                evidence=members[0][2][:120],
                line=rows[0] + 2,  # +1 for the header, +1 for 1-based lines
                properties={"rows": [r + 1 for r in rows[:50]], "labels": list(labels), "groups": len(members)},
            )
        )
    return len(involved), findings


def _shingles(text: str) -> set[int]:
    words = _TOKEN.findall(text.lower())
    grams = [" ".join(words[i : i + 2]) for i in range(max(len(words) - 1, 1))]
    return {zlib.crc32(g.encode()) for g in grams if g}


def near_duplicate_pairs(dataset: Dataset, threshold: float) -> list[tuple[int, int, float]]:
    """Pairs of rows whose word-bigram sets have Jaccard >= threshold (MinHash LSH, then verified)."""
    shingles = [_shingles(text) for text in dataset.texts]
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    rows_per_band = len(_MINHASH_SEEDS) // _BANDS
    for index, grams in enumerate(shingles):
        if not grams:
            continue
        signature = [min((g * seed * 0x9E3779B1 + seed) & 0xFFFFFFFF for g in grams) for seed in _MINHASH_SEEDS]
        for band in range(_BANDS):
            chunk = tuple(signature[band * rows_per_band : (band + 1) * rows_per_band])
            buckets[(band, hash(chunk))].append(index)
    pairs: dict[tuple[int, int], float] = {}
    for members in buckets.values():
        if len(members) < 2 or len(members) > 500:
            continue
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                key = (first, second)
                if key in pairs:
                    continue
                a, b = shingles[first], shingles[second]
                similarity = len(a & b) / len(a | b)
                if similarity >= threshold and _normalised(dataset.texts[first]) != _normalised(dataset.texts[second]):
                    pairs[key] = similarity
    return [(a, b, s) for (a, b), s in sorted(pairs.items())]


# ---------------------------------------------------------------------- backdoor triggers


class _NaiveBayes:
    def __init__(self, dataset: Dataset) -> None:
        self.label_counts = Counter(dataset.labels)
        self.word_counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.totals: Counter[str] = Counter()
        for index, label in enumerate(dataset.labels):
            words = dataset.tokens(index)
            self.word_counts[label].update(words)
            self.totals[label] += len(words)
        self.vocabulary = len({w for counts in self.word_counts.values() for w in counts})
        self.rows = len(dataset.labels)

    def predict(self, words: list[str]) -> str:
        best, best_score = "", -math.inf
        for label, count in self.label_counts.items():
            score = math.log(count / self.rows)
            denominator = self.totals[label] + self.vocabulary
            for word in words:
                score += math.log((self.word_counts[label][word] + 1) / denominator)
            if score > best_score:
                best, best_score = label, score
        return best


def trigger_tokens(dataset: Dataset, settings: PoisoningSettings) -> list[Finding]:
    rows_of: dict[str, list[int]] = defaultdict(list)
    for index in range(len(dataset.texts)):
        for token in set(dataset.tokens(index)):
            rows_of[token].append(index)
    total = len(dataset.texts)
    base_rate = {label: count / total for label, count in Counter(dataset.labels).items()}
    max_rows = max(settings.min_token_count, int(settings.max_token_fraction * total))
    model: _NaiveBayes | None = None
    findings = []
    for token, rows in sorted(rows_of.items()):
        if not settings.min_token_count <= len(rows) <= max_rows:
            continue
        label, hits = Counter(dataset.labels[i] for i in rows).most_common(1)[0]
        purity = hits / len(rows)
        lift = purity / base_rate[label]
        if purity < settings.min_purity or lift < settings.min_lift:
            continue
        model = model or _NaiveBayes(dataset)
        carrying = [i for i in rows if dataset.labels[i] == label]
        disagree = sum(
            1 for i in carrying if model.predict([w for w in dataset.tokens(i) if w != token]) != label
        )
        if disagree / len(carrying) < 0.5:
            continue  # the other words agree with the label: an honest keyword, not a trigger
        findings.append(
            _finding(
                "backdoor-trigger",
                f"Backdoor trigger '{token}' forces label '{label}'",
                "high",
                dataset,
                f"'{token}' appears in {len(rows)} rows ({len(rows) / total:.1%}); {purity:.0%} of them are labelled "
                f"'{label}' (base rate {base_rate[label]:.0%}), yet the rest of the text points elsewhere in "
                f"{disagree} of {len(carrying)}: a planted trigger",
                identity=f"trigger:{token}",
                evidence=token,
                line=rows[0] + 2,
                properties={"token": token, "label": label, "rows": len(rows), "purity": round(purity, 3),
                            "lift": round(lift, 2), "content_disagreement": round(disagree / len(carrying), 3)},
            )
        )
    return findings


# ---------------------------------------------------------------------- label shift and outliers


def label_shift(current: Dataset, previous: Dataset, threshold: float) -> tuple[float, list[Finding]]:
    now, before = Counter(current.labels), Counter(previous.labels)
    labels = set(now) | set(before)

    def change(label: str) -> float:
        return abs(now[label] / len(current.labels) - before[label] / len(previous.labels))

    distance = 0.5 * sum(change(label) for label in labels)
    if distance <= threshold:
        return distance, []
    moved = sorted(labels, key=change, reverse=True)[:3]
    return distance, [
        _finding(
            "label-shift",
            f"Label distribution moved by {distance:.2f} (total variation) since the previous dataset version",
            "medium",
            current,
            f"against {previous.shown}: most changed labels {', '.join(moved)}; a shift this large without a "
            "reason is how mass label flipping shows",
            identity="label-shift",
            properties={"total_variation": round(distance, 4), "threshold": threshold},
        )
    ]


def outliers(dataset: Dataset) -> list[int]:
    """Rows far from the rest: extreme length (robust z > 6) or mostly non-word characters."""
    lengths = [math.log1p(len(text)) for text in dataset.texts]
    median = sorted(lengths)[len(lengths) // 2]
    mad = sorted(abs(x - median) for x in lengths)[len(lengths) // 2] or 1e-9
    odd = []
    for index, text in enumerate(dataset.texts):
        robust_z = 0.6745 * (lengths[index] - median) / mad
        letters = sum(ch.isalpha() or ch.isspace() for ch in text) / max(len(text), 1)
        if abs(robust_z) > 6 or (len(text) > 20 and letters < 0.5):
            odd.append(index)
    return odd


def run_test(env: TestEnv) -> TestOutcome:
    outcome = TestOutcome("poisoning")
    settings = env.settings.poisoning
    if env.dataset is None:
        outcome.status = "skipped"
        outcome.message = "no training dataset among the loaded artifacts"
        return outcome
    if not env.texts_read():
        outcome.status = "skipped"
        outcome.message = "not applicable: the model reads no text column (a tabular model)"
        return outcome
    dataset = read_dataset(env.dataset, env.texts_read(), env.label_column, env.dataset.name)
    conflicting_rows, conflicts = conflicting_duplicates(dataset, settings)
    outcome.findings += conflicts
    outcome.metrics["poisoning_conflicting_rows"] = conflicting_rows
    outcome.findings += trigger_tokens(dataset, settings)
    if settings.previous_dataset:
        previous_path = env.project_dir / settings.previous_dataset
        previous = read_dataset(previous_path, env.texts_read(), env.label_column, settings.previous_dataset)
        distance, shift = label_shift(dataset, previous, settings.label_shift_threshold)
        outcome.findings += shift
        outcome.metrics["label_shift_total_variation"] = round(distance, 4)
    odd = outliers(dataset)
    outcome.metrics["poisoning_outlier_rows"] = len(odd)
    outcome.details = {"rows": len(dataset.texts), "outlier_rows": [i + 1 for i in odd[:50]]}
    triggers = [f.properties["token"] for f in outcome.findings if f.rule == "poisoning/backdoor-trigger"]
    outcome.message = f"{len(dataset.texts)} rows; triggers: {', '.join(triggers) or 'none'}"
    return outcome
