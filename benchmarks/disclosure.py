"""Measure disclosure screening on labelled sets: recall, precision, false-positive rate.

Usage: python benchmarks/disclosure.py [--sets set blind practitioner demo] [--splits dev ...]
       [--screens rules semantic rules+semantic ngram rules+ngram] [--as-unknown] [--errors]

Screens: ``rules`` (nlp.screening.screen, synchronous, no model); ``semantic`` (the MiniLM
exemplar screen of nlp.disclosure_model, meant for the job worker); ``ngram`` (a cheap sync
alternative measured for comparison: TF-IDF char 2-5 ``char_wb`` + word 1-2 n-grams, logistic
regression trained at start-up on the exemplar bank and the dev split, threshold set by
5-fold cross-validation on that training data; it ignores the writer); ``a+b`` flags when
either does. ``rules+semantic`` is what the product does (and ``python -m nlp.screen``).

Sets: ``set`` (disclosure_set.csv, by split, every row written as "unknown"); ``blind``
(disclosure_blind.csv, written before the screens it measures; its ``source`` gives the writer:
child_under_11 and child_11_plus are "child"); ``practitioner`` (disclosure_practitioner.csv:
practitioners' consultation answers about policy, training, thresholds and services, and
practitioners describing a specific child now; its ``writer`` column); ``demo`` (every demo
sentence of the screened streams in demo/text, as negatives, and the demo's written
disclosures as positives). Blind, practitioner and demo rows are reported per writer, each
screened as its writer wrote it; ``--as-unknown`` screens them all as "unknown" (the screen
before it knew who was writing).

Splits of ``set``: ``dev`` (the rules were tuned on it); ``holdout1`` (30 positives written
after the first freeze of the old enumerated patterns; tuned on since); ``holdout`` (30
positives and 30 negatives written after the second freeze; no longer blind); ``fresh`` (60
positives and 60 hard negatives written before the lexicon screen, measured once after it
froze); ``semantic`` (69 euphemistic or indirect positives and 65 hard negatives written after
the exemplar bank and before the semantic screen was tuned). ``--errors`` lists every miss and
false positive (the sets are written for the benchmark, so printing them is safe).
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
from nlp.screening import WRITERS, Screening, Writer, screen  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "disclosure_set.csv"
BLIND = Path(__file__).parent / "data" / "disclosure_blind.csv"
PRACTITIONER = Path(__file__).parent / "data" / "disclosure_practitioner.csv"
DEMO = ROOT / "surveys" / "demo_text"
SETS = ("set", "blind", "practitioner", "demo")
SPLITS = ("dev", "holdout1", "holdout", "fresh", "semantic")
SCREENS = ("rules", "semantic", "rules+semantic", "ngram", "rules+ngram")
SOURCE_WRITER = {"child_under_11": "child", "child_11_plus": "child"}
# Demo text files of the screened questions, by who writes them.
DEMO_WRITERS = {"consultation_": "practitioner", "case_audit_": "practitioner"}
DEMO_WRITERS |= {"child_": "child", "family_": "family"}
DEMO_DISCLOSURE_WRITERS = {
    "child-voice-under-11": "child",
    "child-voice-11-plus": "child",
    "family-voice": "family",
    "practitioner-consultation": "practitioner",
    "case-audit": "practitioner",
}
BatchScreen = Callable[[Sequence[str], Writer], list[Screening]]


def load(path: Path = DATA) -> list[dict[str, str]]:
    """Load the labelled rows (text, label, category, and split, source or writer)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def writer_of(row: dict[str, str]) -> Writer:
    """Return who wrote a row: its ``writer``, else its ``source`` mapped, else "unknown"."""
    name = row.get("writer") or SOURCE_WRITER.get(row.get("source", ""), row.get("source", ""))
    return next((w for w in WRITERS if w == name), "unknown")


def load_demo() -> list[dict[str, str]]:
    """Return the demo's screened sentences as negatives and its disclosures as positives."""
    import yaml

    rows: list[dict[str, str]] = []
    for path in sorted(DEMO.glob("*.yaml")):
        writer = next((w for p, w in DEMO_WRITERS.items() if path.name.startswith(p)), None)
        if writer is None:
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for theme in data.get("themes", {}).values():
            for sentence in theme.get("sentences", []):
                rows.append({"text": sentence, "label": "0", "category": "benign"})
                rows[-1]["writer"] = writer
    disclosures = yaml.safe_load((DEMO / "_disclosures.yaml").read_text(encoding="utf-8"))
    for key, texts in disclosures.items():
        for text in texts:
            writer = DEMO_DISCLOSURE_WRITERS.get(key, "unknown")
            rows.append({"text": text, "label": "1", "category": "demo", "writer": writer})
    return rows


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

    def __call__(self, texts: Sequence[str], writer: Writer = "unknown") -> list[Screening]:
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

    def rules(texts: Sequence[str], writer: Writer) -> list[Screening]:
        return [screen(t, writer=writer) for t in texts]

    built: dict[str, BatchScreen] = {"rules": rules}
    if any("semantic" in n for n in names):
        from nlp.embedding import MiniLM

        start = time.perf_counter()
        semantic = EmbeddingScreen(MiniLM())  # the product's back-end (ONNX when installed)
        semantic.screen(["warm up"])
        print(f"semantic: model + exemplar bank ready in {time.perf_counter() - start:.1f} s")
        built["semantic"] = lambda t, w: semantic.screen(t, writer=w)
    if any("ngram" in n for n in names):
        built["ngram"] = build_ngram(rows)
    for name in names:
        if "+" in name:
            a, b = (built[part] for part in name.split("+"))
            built[name] = lambda t, w, a=a, b=b: [
                merge(x, y) for x, y in zip(a(t, w), b(t, w), strict=True)
            ]
    return {name: built[name] for name in names}


def run_by_writer(
    run: BatchScreen, rows: list[dict[str, str]], *, as_unknown: bool
) -> list[Screening]:
    """Screen rows in one batch per writer, keeping their order."""
    results: list[Screening | None] = [None] * len(rows)
    for writer in WRITERS:
        index = [i for i, r in enumerate(rows) if writer_of(r) == writer]
        if index:
            found = run([rows[i]["text"] for i in index], "unknown" if as_unknown else writer)
            for i, result in zip(index, found, strict=True):
                results[i] = result
    return [r for r in results if r is not None]


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


def _heading(title: str, rows: list[dict[str, str]]) -> None:
    positives = sum(r["label"] == "1" for r in rows)
    print(f"\n== {title}: positives {positives}, negatives {len(rows) - positives} ==")


def report_by_writer(
    title: str,
    rows: list[dict[str, str]],
    chosen: dict[str, BatchScreen],
    *,
    as_unknown: bool,
    errors: bool,
) -> None:
    """Screen a set as its writers wrote it; report each writer, then the whole set."""
    results = {
        name: run_by_writer(run, rows, as_unknown=as_unknown) for name, run in chosen.items()
    }
    how = " (all screened as unknown)" if as_unknown else ""
    for writer in (*WRITERS, None):
        index = [i for i, r in enumerate(rows) if writer is None or writer_of(r) == writer]
        if not index:
            continue
        _heading(f"{title}, writer {writer or 'all'}{how}", [rows[i] for i in index])
        for name, found in results.items():
            picked = [rows[i] for i in index]
            report(name, picked, [found[i] for i in index], errors and writer is not None)


def main(argv: list[str] | None = None) -> None:
    """Run each chosen screen on each chosen set (and split) and time it."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", nargs="+", choices=SETS, default=["set"])
    ap.add_argument("--splits", nargs="+", choices=SPLITS, default=list(SPLITS))
    ap.add_argument("--screens", nargs="+", choices=SCREENS, default=["rules"])
    ap.add_argument("--as-unknown", action="store_true", help="ignore who wrote each row")
    ap.add_argument("--errors", action="store_true", help="list misses and false positives")
    args = ap.parse_args(argv)
    rows = load()
    chosen = screens(args.screens, rows)
    if "set" in args.sets:
        for split in args.splits:
            split_rows = [r for r in rows if r.get("split", "dev") == split]
            if split_rows:
                _heading(split, split_rows)
                for name, run in chosen.items():
                    texts = [r["text"] for r in split_rows]
                    report(name, split_rows, run(texts, "unknown"), args.errors)
    loaders = {
        "blind": lambda: load(BLIND),
        "practitioner": lambda: load(PRACTITIONER),
        "demo": load_demo,
    }
    for name, loader in loaders.items():
        if name in args.sets:
            report_by_writer(name, loader(), chosen, as_unknown=args.as_unknown, errors=args.errors)
    texts = [r["text"] for r in rows]
    print()
    for name, run in chosen.items():
        start = time.perf_counter()
        run(texts, "unknown")
        elapsed = time.perf_counter() - start
        print(
            f"speed {name}: {len(texts)} texts in {elapsed:.2f} s = "
            f"{len(texts) / elapsed:,.0f} texts/s"
        )


if __name__ == "__main__":
    main()
