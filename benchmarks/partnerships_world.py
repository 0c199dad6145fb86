"""Many partnerships' data for benchmarks/partnerships_scale.py, loaded fast with COPY.

Public API:
    Shape(partnerships, organisations, cycles, runs, statements, seed)
    PartnershipIds: one partnership's admin, quality-group member, cycle ids and run ids
    load_world(connection, shape, definition) -> (partnerships' ids, rows per table)
    read_world(connection) -> the same, read back from a schema loaded earlier

What a partnership holds (each row with its `partnership_id`):
- 60 organisations (`organisations`): neighbouring partnerships come in blocks of four that
  share a police force and an NHS trust (each of those serves all four,
  `organisation_partnerships`); the other 58 (children's services, a community health trust,
  youth justice, probation, voluntary and community, other) serve that partnership only;
- a partnership admin and a quality-group member, each with a membership;
- 3 Section 11 cycles a year apart (the latest open), each assigned to all 60 organisations,
  and a response per assignment with full answers (a pool of 50 generated answer sets,
  reused): 85% submitted, 12% in progress (the first half of the pages answered), 3% awaiting
  sign-off; 1% of submitted returns carry a reviewed disclosure flag on one answer;
- 2 finished theming runs (the older cycles, then all of them; the second continues the first's
  themes), each with 15–25 themes (384-number centroids, as MiniLM's) and `statements`
  statements (short texts, 10% left unthemed), quotes, a rename edit and a gone theme.

Rows carry explicit ids (the schema is new and ours alone); the sequences are moved past them at
the end. Loading runs as the superuser, so row-level security does not apply while loading.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import psycopg

from demo.answers import generate_answers
from learning.selection import Selection
from surveys.definition import SurveyDefinition
from surveys.models import utcnow

POOL_SIZE = 50
CENTROID_SIZE = 384
STATUSES = (("submitted", 0.85), ("in_progress", 0.12), ("awaiting_sign_off", 0.03))
SHARED = (("Constabulary", "police"), ("Hospitals NHS Trust", "health"))
OWN = (
    ("Children's Services", "local_authority", 1),
    ("Community Health NHS Trust", "health", 1),
    ("Youth Justice Service", "youth_justice", 1),
    ("Probation Delivery Unit", "probation", 1),
    ("Voluntary and Community Organisation", "voluntary", 40),
    ("Service", "other", 10_000),  # the rest
)
THEME_LABELS = (
    "Waiting times for mental health support",
    "Information sharing with schools",
    "Multi-agency training attendance",
    "Voice of the child in assessments",
    "Supervision for frontline staff",
    "Escalation and professional challenge",
    "Safer recruitment checks",
    "Allegations against staff (LADO)",
    "Early help referrals",
    "Domestic abuse notifications",
    "Contextual safeguarding and exploitation",
    "Neglect tool use",
    "Transitions to adult services",
    "Record keeping and chronologies",
    "Staff turnover and agency workers",
    "Children missing education",
    "Online safety",
    "Disabled children's plans",
    "Section 11 action follow-up",
    "Board reporting and assurance",
    "Interpreters and language needs",
    "Health assessments for looked-after children",
    "Threshold understanding",
    "Strategy meeting attendance",
    "Feedback from families",
)
STATEMENT_TEXT = (
    "{label} has improved since the last audit.",
    "Staff told us {label_lower} is still a gap.",
    "We need a clearer process for {label_lower}.",
    "Audit found {label_lower} was done well in most cases.",
    "Managers check {label_lower} in supervision.",
    "Partners raised concerns about {label_lower}.",
)


@dataclass(frozen=True)
class Shape:
    partnerships: int = 150
    organisations: int = 60
    cycles: int = 3
    runs: int = 2
    statements: int = 2000  # per run
    seed: int = 7


@dataclass
class PartnershipIds:
    id: int
    admin_id: int
    quality_id: int
    cycle_ids: list[int] = field(default_factory=list)
    run_ids: list[int] = field(default_factory=list)


class Ids:
    """The next id of each table (rows carry explicit ids)."""

    def __init__(self) -> None:
        self.last: dict[str, int] = {}

    def next(self, table: str) -> int:
        self.last[table] = self.last.get(table, 0) + 1
        return self.last[table]


class Batch:
    """Rows to COPY, by table (columns named once per table)."""

    def __init__(self) -> None:
        self.rows: dict[str, list[Sequence[Any]]] = {}
        self.columns: dict[str, tuple[str, ...]] = {}
        self.counts: dict[str, int] = {}

    def add(self, table: str, **row: Any) -> None:
        self.columns.setdefault(table, tuple(row))
        self.rows.setdefault(table, []).append(tuple(row.values()))

    def copy(self, cursor: psycopg.Cursor[Any]) -> None:
        """COPY every table's rows, parents first (the order tables were first added)."""
        for table, rows in self.rows.items():
            names = ", ".join(f'"{c}"' for c in self.columns[table])
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # type: ignore[arg-type]
                for row in rows:
                    copy.write_row(row)
            self.counts[table] = self.counts.get(table, 0) + len(rows)
        self.rows.clear()


def answer_pool(definition: SurveyDefinition, rng: random.Random) -> tuple[list[str], list[str]]:
    """Return full and half-answered answer sets, as JSON text."""
    full = [generate_answers(definition, rng=rng) for _ in range(POOL_SIZE)]
    first_half = {
        q.id for page in definition.pages[: len(definition.pages) // 2] for q in page.questions
    }
    half = [{k: v for k, v in answers.items() if k in first_half} for answers in full]
    return [json.dumps(a) for a in full], [json.dumps(a) for a in half]


def load_world(
    connection: psycopg.Connection[Any], shape: Shape, definition: SurveyDefinition
) -> tuple[list[PartnershipIds], dict[str, int]]:
    """Load every partnership, a transaction each; return their ids and rows per table."""
    rng = random.Random(shape.seed)
    pool = answer_pool(definition, rng)
    ids, batch, now = Ids(), Batch(), utcnow()
    shared: dict[int, list[tuple[int, str]]] = {}  # block -> its shared organisations
    loaded = []
    with connection.cursor() as cursor:
        for number in range(1, shape.partnerships + 1):
            ids.last["partnerships"] = number
            world = _Partnership(number, shape, definition, rng, ids, batch, now, pool)
            loaded.append(world.build(shared))
            batch.copy(cursor)
            connection.commit()
        for table, last in ids.last.items():
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {last})")  # type: ignore[arg-type]
        connection.commit()
    return loaded, batch.counts


class _Partnership:
    """One partnership's rows, added to the batch."""

    def __init__(
        self,
        number: int,
        shape: Shape,
        definition: SurveyDefinition,
        rng: random.Random,
        ids: Ids,
        batch: Batch,
        now: datetime,
        pool: tuple[list[str], list[str]],
    ) -> None:
        self.number, self.shape, self.definition, self.rng = number, shape, definition, rng
        self.ids, self.batch, self.now, self.pool = ids, batch, now, pool
        # cycle -> its submitted returns: (response, cycle, organisation, sector)
        self.submitted: dict[int, list[tuple[int, int, int, str]]] = {}

    def build(self, shared: dict[int, list[tuple[int, str]]]) -> PartnershipIds:
        p, now = self.number, self.now
        self.batch.add(
            "partnerships",
            id=p,
            name=f"Partnership {p:03d} Safeguarding Children Partnership",
            front_door_name=f"Partnership {p:03d} children's front door",
            front_door_phone=f"01632 {p:06d}",
            created_at=now - timedelta(days=900),
        )
        organisations = self._organisations(shared)
        admin = self._person("admin", "partnership_admin", "Partnership admin")
        quality = self._person("quality", "quality_group", "Quality group member")
        result = PartnershipIds(p, admin, quality)
        for index in range(self.shape.cycles):
            result.cycle_ids.append(self._cycle(index, organisations, admin))
        self._runs(result, quality)
        return result

    def _organisations(self, shared: dict[int, list[tuple[int, str]]]) -> list[tuple[int, str]]:
        block = (self.number - 1) // 4
        if block not in shared:
            shared[block] = [
                self._organisation(f"Area {block + 1:02d} {name}", sector)
                for name, sector in SHARED
            ]
        own: list[tuple[int, str]] = []
        for name, sector, count in OWN:
            for index in range(count):
                if len(shared[block]) + len(own) == self.shape.organisations:
                    break
                suffix = f" {index + 1}" if count > 1 else ""
                own.append(self._organisation(f"P{self.number:03d} {name}{suffix}", sector))
        chosen = [*shared[block], *own][: self.shape.organisations]
        for organisation_id, _ in chosen:
            self.batch.add(
                "organisation_partnerships",
                organisation_id=organisation_id,
                partnership_id=self.number,
                joined_at=self.now - timedelta(days=800),
            )
        return chosen

    def _organisation(self, name: str, sector: str) -> tuple[int, str]:
        organisation_id = self.ids.next("organisations")
        self.batch.add(
            "organisations",
            id=organisation_id,
            name=name,
            sector=sector,
            kind="agency",
            is_active=True,
            created_at=self.now - timedelta(days=800),
        )
        return organisation_id, sector

    def _person(self, who: str, role: str, name: str) -> int:
        user_id = self.ids.next("users")
        self.batch.add(
            "users",
            id=user_id,
            email=f"{who}-{self.number:03d}@scale.example.org",
            name=f"{name} {self.number:03d}",
            role=role,
            organisation_id=None,
            password_hash=None,
            is_active=True,
            created_at=self.now - timedelta(days=800),
            last_signed_in_at=None,
        )
        self.batch.add(
            "memberships",
            id=self.ids.next("memberships"),
            user_id=user_id,
            partnership_id=self.number,
            role=role,
            organisation_id=None,
            created_at=self.now - timedelta(days=800),
        )
        return user_id

    def _cycle(self, index: int, organisations: list[tuple[int, str]], admin: int) -> int:
        years_ago = self.shape.cycles - 1 - index
        opens_at = self.now - timedelta(days=30 + 365 * years_ago)
        cycle_id = self.ids.next("cycles")
        self.batch.add(
            "cycles",
            id=cycle_id,
            partnership_id=self.number,
            title=f"Section 11 {opens_at.year}",
            definition_key=self.definition.key,
            definition_version=self.definition.version,
            audience="organisations",
            opens_at=opens_at,
            closes_at=opens_at + timedelta(days=90),
            created_by_id=admin,
            created_at=opens_at - timedelta(days=7),
            shared_round=None,
            local_questions="[]",
        )
        self.submitted[cycle_id] = []
        for organisation_id, sector in organisations:
            self.batch.add(
                "cycle_assignments",
                id=self.ids.next("cycle_assignments"),
                partnership_id=self.number,
                cycle_id=cycle_id,
                organisation_id=organisation_id,
                last_reminded_at=None,
            )
            self._response(cycle_id, organisation_id, sector, opens_at)
        return cycle_id

    def _response(
        self, cycle_id: int, organisation_id: int, sector: str, opens_at: datetime
    ) -> None:
        rng = self.rng
        status = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]
        response_id = self.ids.next("responses")
        full, half = self.pool
        answers = (half if status == "in_progress" else full)[rng.randrange(POOL_SIZE)]
        saved = opens_at + timedelta(days=rng.uniform(1, 29), minutes=rng.randrange(600))
        submitted = status == "submitted"
        flagged = submitted and rng.random() < 0.01
        self.batch.add(
            "responses",
            id=response_id,
            partnership_id=self.number,
            cycle_id=cycle_id,
            organisation_id=organisation_id,
            public_link_id=None,
            submission_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            reference=f"LL-{response_id // 10_000:04d}-{response_id % 10_000:04d}",
            definition_key=self.definition.key,
            definition_version=self.definition.version,
            status=status,
            answers=answers,
            version=rng.randint(2, 30),
            created_at=saved - timedelta(days=5),
            last_saved_at=saved,
            last_saved_by_id=None,
            signed_off_by_id=None,
            signed_off_at=saved if submitted else None,
            submitted_at=saved if submitted else None,
            submitted_by_id=None,
            is_flagged=flagged,
            semantic_screened_at=saved if submitted else None,
        )
        if submitted:
            self.submitted[cycle_id].append((response_id, cycle_id, organisation_id, sector))
        if flagged:
            self.batch.add(
                "disclosure_flags",
                id=self.ids.next("disclosure_flags"),
                partnership_id=self.number,
                response_id=response_id,
                question_id=f"s{rng.randint(1, 14)}_development",
                reasons="specific_child",
                source="rules",
                flagged_at=saved,
                review_due_at=saved + timedelta(days=1),
                alerted_at=saved,
                status="reviewed",
                reviewed_by_id=None,
                reviewed_at=saved + timedelta(hours=3),
                outcome="already_known",
                action_taken="",
            )

    def _runs(self, result: PartnershipIds, quality: int) -> None:
        previous: tuple[int, list[tuple[int, str]]] | None = None
        for index in range(self.shape.runs):
            last = len(result.cycle_ids) - (self.shape.runs - 1 - index)
            cycle_ids = result.cycle_ids[: max(last, 1)]
            previous = self._run(cycle_ids, quality, previous)
            result.run_ids.append(previous[0])

    def _run(
        self,
        cycle_ids: list[int],
        quality: int,
        previous: tuple[int, list[tuple[int, str]]] | None,
    ) -> tuple[int, list[tuple[int, str]]]:
        """Add a finished run; return its id and its themes' (id, lineage key)."""
        rng, now, p = self.rng, self.now, self.number
        run_id = self.ids.next("theming_runs")
        selection = Selection(streams=("section_11",), cycle_ids=tuple(cycle_ids))
        sources = [s for c in cycle_ids for s in self.submitted[c]]
        count = self.shape.statements
        finished = now - timedelta(days=20 if previous is None else 2)
        self.batch.add(
            "theming_runs",
            id=run_id,
            partnership_id=p,
            status="finished",
            selection=json.dumps(selection.to_json()),
            streams_key=selection.streams_key,
            started_by_id=quality,
            created_at=finished - timedelta(minutes=12),
            started_at=finished - timedelta(minutes=11),
            finished_at=finished,
            heartbeat_at=finished,
            attempts=1,
            stage="save",
            done=count,
            total=count,
            failure_reason="",
            embedder_model="sentence-transformers/all-MiniLM-L6-v2",
            config="{}",
            coverage=json.dumps(
                {"answers": len(sources) * 20, "statements": count, "non_answers": count // 20}
            ),
            previous_run_id=previous[0] if previous else None,
        )
        labels = rng.sample(THEME_LABELS, rng.randint(15, 25))
        weights = [1 / (rank + 1) for rank in range(len(labels))]  # a few large themes
        assigned = [
            None if rng.random() < 0.1 else rng.choices(range(len(labels)), weights)[0]
            for _ in range(count)
        ]
        first_statement = self.ids.last.get("theme_statements", 0) + 1
        members: dict[int, list[int]] = {i: [] for i in range(len(labels))}
        for offset, theme_index in enumerate(assigned):
            if theme_index is not None:
                members[theme_index].append(first_statement + offset)
        # The last run's themes come back (but its last, which is gone), a few new ones join.
        kept = [key for _, key in previous[1][:-1]][: len(labels) - 2] if previous else []
        themes = self._themes(run_id, labels, members, count, kept, previous)
        for theme_index in assigned:
            response_id, source_cycle, organisation_id, sector = rng.choice(sources)
            standard = rng.randint(1, 14)
            part = rng.choice(("evidence", "development", "impact"))
            label = labels[theme_index] if theme_index is not None else "Other"
            self.batch.add(
                "theme_statements",
                id=self.ids.next("theme_statements"),
                partnership_id=p,
                run_id=run_id,
                theme_id=themes[theme_index][0] if theme_index is not None else None,
                sub_theme_id=None,
                response_id=response_id,
                question_id=f"s{standard}_{part}",
                text=rng.choice(STATEMENT_TEXT).format(label=label, label_lower=label.lower()),
                polarity=round(rng.uniform(-1, 1), 3),
                polarity_hint="areas_for_development" if part == "development" else "strengths",
                stream="section_11",
                sector=sector,
                organisation_id=organisation_id,
                cycle_id=source_cycle,
                standard=f"S11-{standard}",
                rating_is_low=rng.random() < 0.3,
            )
        self._edits(run_id, themes, quality, finished, previous)
        return run_id, themes

    def _themes(
        self,
        run_id: int,
        labels: list[str],
        members: dict[int, list[int]],
        count: int,
        kept: list[str],
        previous: tuple[int, list[tuple[int, str]]] | None,
    ) -> list[tuple[int, str]]:
        rng, p = self.rng, self.number
        previous_by_key = {key: theme_id for theme_id, key in previous[1]} if previous else {}
        themes = []
        for index, label in enumerate(labels):
            theme_id = self.ids.next("themes")
            key = kept[index] if index < len(kept) else str(uuid.UUID(int=rng.getrandbits(128)))
            if key not in previous_by_key:
                self.batch.add(
                    "theme_lineages",
                    key=key,
                    partnership_id=p,
                    human_label=None,
                    is_discarded=False,
                    merged_into_key=None,
                    created_at=self.now,
                    updated_at=self.now,
                )
            size = len(members[index])
            was = previous_by_key.get(key)
            self.batch.add(
                "themes",
                id=theme_id,
                partnership_id=p,
                run_id=run_id,
                parent_id=None,
                number=index,
                lineage_key=key,
                label=label,
                machine_label=label,
                label_source="machine",
                keywords=json.dumps(label.lower().split()[:5]),
                size=size,
                share=size / count,
                polarity=round(rng.uniform(-1, 1), 3),
                centroid=json.dumps([round(rng.gauss(0, 0.05), 6) for _ in range(CENTROID_SIZE)]),
                quote_ids=json.dumps(members[index][:3]),
                state="discarded" if index == len(labels) - 1 else "active",
                merged_into_id=None,
                split_from_id=None,
                trend=rng.choice(("growing", "stable", "declining")) if was else "new",
                previous_theme_id=was,
                previous_share=rng.uniform(0, 0.2) if was else None,
                similarity=rng.uniform(0.7, 0.99) if was else None,
            )
            themes.append((theme_id, key))
        return themes

    def _edits(
        self,
        run_id: int,
        themes: list[tuple[int, str]],
        quality: int,
        finished: datetime,
        previous: tuple[int, list[tuple[int, str]]] | None,
    ) -> None:
        theme_id = themes[0][0]
        self.batch.add(
            "theme_edits",
            id=self.ids.next("theme_edits"),
            partnership_id=self.number,
            run_id=run_id,
            kind="rename",
            theme_id=theme_id,
            edited_by_id=quality,
            edited_at=finished + timedelta(hours=1),
            summary="Renamed a theme",
            before=json.dumps({"label": "machine label"}),
            after=json.dumps({"label": "human label"}),
            undone_at=None,
            undone_by_id=None,
        )
        if previous:
            self.batch.add(
                "theme_fates",
                id=self.ids.next("theme_fates"),
                partnership_id=self.number,
                run_id=run_id,
                previous_theme_id=previous[1][-1][0],
                lineage_key=previous[1][-1][1],
                status="gone",
                merged_into_id=None,
            )


def read_world(connection: psycopg.Connection[Any]) -> tuple[list[PartnershipIds], dict[str, int]]:
    """Read back the ids of a world loaded earlier (a kept schema), and its rows per table."""
    people: dict[tuple[int, str], int] = {
        (p, role): user
        for p, role, user in connection.execute(
            "SELECT partnership_id, role, min(user_id) FROM memberships GROUP BY 1, 2"
        )
    }
    world = {
        p: PartnershipIds(p, people[(p, "partnership_admin")], people[(p, "quality_group")])
        for (p,) in connection.execute("SELECT id FROM partnerships ORDER BY id")
    }
    for p, cycle_id in connection.execute("SELECT partnership_id, id FROM cycles ORDER BY id"):
        world[p].cycle_ids.append(cycle_id)
    finished = "SELECT partnership_id, id FROM theming_runs WHERE status = 'finished' ORDER BY id"
    for p, run_id in connection.execute(finished):
        world[p].run_ids.append(run_id)
    counts = {
        table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]  # noqa: S608 - our names
        for table in ("partnerships", "organisations", "responses", "theme_statements")
    }
    return list(world.values()), counts
