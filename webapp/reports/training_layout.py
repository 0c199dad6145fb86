"""The yearly report's training reach and impact, from the training dashboard's own figures
(`surveys.training.figures`: groups of fewer than 5 trainees are already suppressed there).

Public API:
    training_blocks(figures) -> list[Block]
"""

from __future__ import annotations

from surveys.training.figures import Group
from webapp.reports.blocks import Block, Facts, Heading, Paragraph


def _out_of_five(value: float | None, answering: int) -> str:
    return "Not shown (fewer than 5 answered)" if value is None else f"{value} ({answering})"


def training_blocks(figures: Group | None) -> list[Block]:
    """Reach, reaction, confidence before, after and at follow-up, and changed practice."""
    blocks: list[Block] = [Heading("Training reach and impact")]
    if figures is None:
        return [*blocks, Paragraph("No multi-agency training session was held in this period.")]
    confidence = figures.confidence
    rate = f" ({figures.response_rate}%)" if figures.response_rate is not None else ""
    rows: tuple[tuple[str, str | int], ...] = (
        ("Trainees who attended", figures.attended),
        ("Evaluations returned", figures.evaluated),
        (
            "Confidence before the course, out of 5 (number answering)",
            _out_of_five(confidence.before, confidence.before_n),
        ),
        ("Confidence after the course", _out_of_five(confidence.after, confidence.after_n)),
        (
            "Confidence 6 to 8 weeks later",
            _out_of_five(confidence.follow_up, confidence.follow_up_n),
        ),
        (
            "Follow-ups answered",
            f"{figures.follow_ups_answered} of {figures.follow_ups_sent}{rate}",
        ),
        ("Said what changed in their practice", figures.practice_changed),
        ("Answered with their manager", figures.with_manager),
    )
    return [*blocks, Facts(rows, sheet="Training")]
