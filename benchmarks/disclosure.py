"""Measure disclosure screening on the labelled set: recall, precision, false-positive rate.

Usage: python benchmarks/disclosure.py [--splits dev fresh semantic] [--screens rules semantic
       rules+semantic ngram rules+ngram] [--errors]

Screens: ``rules`` (nlp.screening.screen, synchronous, no model); ``semantic`` (the MiniLM
exemplar screen of nlp.disclosure_model, meant for the job worker); ``ngram`` (a cheap sync
alternative measured for comparison: TF-IDF char 2-5 ``char_wb`` + word 1-2 n-grams, logistic
regression trained at start-up on the exemplar bank and the dev split, threshold set by
5-fold cross-validation on that training data); ``a+b`` flags when either does.

Splits: ``dev`` (the rules were tuned on it); ``holdout1`` (30 positives written after the first
freeze of the old enumerated patterns; tuned on since); ``holdout`` (30 positives and 30
negatives written after the second freeze; no longer blind); ``fresh`` (60 positives and 60
hard negatives written before the lexicon screen, measured once after it froze); ``semantic``
(69 euphemistic or indirect positives and 65 hard negatives written after the exemplar bank and
before the semantic screen was tuned; the semantic screen was tuned on dev, holdout1 and holdout
only). ``--errors`` lists every miss and false positive (the set is written for the benchmark,
so printing it is safe).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from nlp.disclosure_model import EmbeddingScreen, load_exemplars, merge, split_clauses  # noqa: E402
from nlp.screening import Screening, screen  # noqa: E402

DATA = Path(__file__).parent / "data" / "disclosure_set.csv"
SPLITS = ("dev", "holdout1", "holdout", "fresh", "semantic")
SCREENS = ("rules", "semantic", "rules+semantic", "ngram", "rules+ngram")
BatchScreen = Callable[[Sequence[str]], list[Screening]]


def load(path: Path = DATA) -> list[dict[str, str]]:
    """Load the labelled rows (text, label, category, split)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


class NgramScreen:
    """Logistic regression on char and word n-grams: the no-torch alternative to MiniLM."""

    def __init__(self, texts: Sequence[str], labels: Sequence[int], fpr: float = 0.05) -> None:
        from sklearn.model_selection import cross_val_predict

        y = np.asarray(labels)
        scores = cross_val_predict(self._model(), list(texts), y, cv=5, method="predict_proba")
        # The threshold that lets through about ``fpr`` of the out-of-fold negatives.
        self.threshold = float(np.quantile(scores[y == 0, 1], 1 - fpr))
        self.model = self._model().fit(list(texts), y)

    @staticmethod
    def _model() -> object:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        features = make_union(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        )
        return make_pipeline(features, LogisticRegression(C=4.0, class_weight="balanced"))

    def __call__(self, texts: Sequence[str]) -> list[Screening]:
        """Flag texts where any clause scores over the threshold (no category: "ngram")."""
        units = [split_clauses(t) or [""] for t in texts]
        flat = [u for us in units for u in us]
        proba = self.model.predict_proba(flat)[:, 1]  # type: ignore[attr-defined]
        out, start = [], 0
        for us in units:
            is_hit = bool((proba[start : start + len(us)] >= self.threshold).any())
            start += len(us)
            out.append(Screening(flagged=is_hit, reasons=("harm_by_adult",) if is_hit else ()))
        return out


def build_ngram(rows: list[dict[str, str]]) -> NgramScreen:
    """Train the n-gram screen on the exemplar bank and the dev split; print its cost."""
    bank = load_exemplars()
    dev = [r for r in rows if r["split"] == "dev"]
    texts = [*bank.positives, *bank.negatives, *(r["text"] for r in dev)]
    labels = [1] * len(bank.positives) + [0] * len(bank.negatives)
    labels += [int(r["label"]) for r in dev]
    start = time.perf_counter()
    model = NgramScreen(texts, labels)
    print(
        f"ngram: trained on {len(texts)} texts in {time.perf_counter() - start:.2f} s "
        f"(incl. 5-fold CV), threshold {model.threshold:.3f}"
    )
    return model


def screens(names: Sequence[str], rows: list[dict[str, str]]) -> dict[str, BatchScreen]:
    """Build the chosen screens; the MiniLM one loads its model here, timed."""

    def rules(texts: Sequence[str]) -> list[Screening]:
        return [screen(t) for t in texts]

    built: dict[str, BatchScreen] = {"rules": rules}
    if any("semantic" in n for n in names):
        from nlp.embedding import MiniLMEmbedder

        start = time.perf_counter()
        semantic = EmbeddingScreen(MiniLMEmbedder(batch_size=32))
        semantic.screen(["warm up"])
        print(f"semantic: model + exemplar bank ready in {time.perf_counter() - start:.1f} s")
        built["semantic"] = semantic.screen
    if any("ngram" in n for n in names):
        built["ngram"] = build_ngram(rows)
    for name in names:
        if "+" in name:
            a, b = (built[part] for part in name.split("+"))
            built[name] = lambda t, a=a, b=b: [merge(x, y) for x, y in zip(a(t), b(t), strict=True)]
    return {name: built[name] for name in names}


def report(name: str, rows: list[dict[str, str]], results: list[Screening], errors: bool) -> None:
    """Print recall, precision and false-positive rate of ``results`` against ``rows``."""
    tp = fp = fn = tn = 0
    for row, result in zip(rows, results, strict=True):
        is_positive = row["label"] == "1"
        tp += is_positive and result.flagged
        fn += is_positive and not result.flagged
        fp += not is_positive and result.flagged
        tn += not is_positive and not result.flagged
        if errors and is_positive != result.flagged:
            kind = (
                f"MISS [{row['category']}]" if is_positive else f"FALSE POSITIVE {result.reasons}"
            )
            print(f"  {kind} {row['text']!r}")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    precision = tp / (tp + fp) if tp + fp else float("nan")
    fpr = fp / (fp + tn) if fp + tn else float("nan")
    print(
        f"{name:<16} recall {recall:.3f} ({tp}/{tp + fn}) | precision {precision:.3f} "
        f"| false-positive rate {fpr:.3f} ({fp}/{fp + tn})"
    )


def main(argv: list[str] | None = None) -> None:
    """Run each chosen screen on each chosen split and time it."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--splits", nargs="+", choices=SPLITS, default=list(SPLITS))
    ap.add_argument("--screens", nargs="+", choices=SCREENS, default=["rules"])
    ap.add_argument("--errors", action="store_true", help="list misses and false positives")
    args = ap.parse_args(argv)
    rows = load()
    chosen = screens(args.screens, rows)
    for split in args.splits:
        split_rows = [r for r in rows if r.get("split", "dev") == split]
        if split_rows:
            print(
                f"\n== {split}: positives {sum(r['label'] == '1' for r in split_rows)}, "
                f"negatives {sum(r['label'] == '0' for r in split_rows)} =="
            )
            for name, run in chosen.items():
                report(name, split_rows, run([r["text"] for r in split_rows]), args.errors)
    texts = [r["text"] for r in rows]
    print()
    for name, run in chosen.items():
        start = time.perf_counter()
        run(texts)
        elapsed = time.perf_counter() - start
        print(
            f"speed {name}: {len(texts)} texts in {elapsed:.2f} s = "
            f"{len(texts) / elapsed:,.0f} texts/s"
        )


if __name__ == "__main__":
    main()
