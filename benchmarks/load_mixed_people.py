"""The people of benchmarks/load_mixed.py: Locust users with think time, and what they saw.

Public API:
    STATE: the run's shared state (the world, the cookies, timings per page kind, what was
        acknowledged)
    Respondent, OrganisationPerson, QualityMember: the three kinds of people (FastHttpUser)
    KINDS: every page kind, in the order the table prints them
"""

from __future__ import annotations

import html
import random
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.cookiejar import Cookie
from typing import Any
from urllib.parse import urlencode, urlsplit

import gevent
from locust import FastHttpUser, task
from locust.exception import StopUser

from benchmarks.load_mixed_world import World, evidence_question
from benchmarks.load_submit import CSRF_RE, REFERENCE_RE, SUBMISSION_RE, free_text_sha
from demo.answers import formdata_for, generate_answers
from surveys.definition import SurveyDefinition

FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}
HIDDEN_RE = re.compile(r'type="hidden" name="(loaded_version|loaded_answers)" value="([^"]*)"')
KINDS = (
    "form start GET",
    "form start POST",
    "form page GET",
    "form page POST",
    "form check GET",
    "form submit POST",
    "form replay POST",
    "form done GET",
    "S11 overview GET",
    "S11 page GET",
    "S11 page save POST",
    "theme list GET",
    "theme page GET",
    "run report GET",
    "six-monthly report GET",
)


@dataclass
class Ack:
    """One acknowledged submission, as the respondent saw it."""

    form: str
    submission_id: str
    reference: str
    text_sha: str
    replay: bool


@dataclass
class Save:
    """One acknowledged Section 11 page save: the marker its evidence answer carried."""

    user_id: int
    response_id: int
    page_id: str
    marker: str


@dataclass
class RunState:
    world: World = field(default_factory=World)
    definitions: dict[str, SurveyDefinition] = field(default_factory=dict)
    cookies: dict[int, str] = field(default_factory=dict)
    seed: int = 7
    think: tuple[float, float] = (5.0, 15.0)
    stopping: bool = False
    in_flight: int = 0
    counters: Counter[str] = field(default_factory=Counter)  # users handed out, by kind
    started: set[str] = field(default_factory=set)
    acks: list[Ack] = field(default_factory=list)
    saves: list[Save] = field(default_factory=list)
    journey_failures: Counter[str] = field(default_factory=Counter)
    times_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)  # "kind status"
    first_at: float = 0.0
    last_at: float = 0.0


STATE = RunState()


class JourneyError(Exception):
    """A page did not answer as the journey expects (counted, never raised past a journey)."""


def on_request(
    request_type: str, name: str, response_time: float, exception: Any, **kw: Any
) -> None:
    """Collect response times and errors by page kind (the request's name)."""
    now = time.time()
    STATE.first_at = STATE.first_at or now
    STATE.last_at = now
    STATE.times_ms[name].append(response_time)
    if exception is not None:
        status = getattr(kw.get("response"), "status_code", 0) or type(exception).__name__
        STATE.errors[f"{name} {status}"] += 1


def match(pattern: re.Pattern[str], text: str, what: str) -> str:
    found = pattern.search(text)
    if found is None:
        raise JourneyError(f"no {what} in page")
    return found.group(found.lastindex or 0)


def csrf(text: str) -> list[tuple[str, str]]:
    return [("csrf_token", match(CSRF_RE, text, "csrf_token"))]


class Person(FastHttpUser):
    """Someone at a keyboard: reads each page for --think seconds before the next request."""

    abstract = True
    kind = ""

    def on_start(self) -> None:
        STATE.counters[self.kind] += 1
        self.index = STATE.counters[self.kind]
        self.rng = random.Random(f"{STATE.seed}-{self.kind}-{self.index}")

    def wait_time(self) -> float:
        return 0.0 if STATE.stopping else self.rng.uniform(*STATE.think)

    def think(self) -> None:
        gevent.sleep(self.rng.uniform(*STATE.think))

    def sign_in_as(self, user_id: int) -> None:
        """Carry the signed session cookie made for this user (load_mixed_world.sign_in)."""
        host = urlsplit(self.host).hostname or ""
        self.client.cookiejar.set_cookie(
            Cookie(
                0,
                "session",
                STATE.cookies[user_id],
                None,
                False,
                host,
                False,
                False,
                "/",
                True,
                False,
                None,
                False,
                None,
                None,
                {},
            )
        )

    def send(self, method: str, path: str, kind: str, expect: int, **kwargs: Any) -> Any:
        """Send one request named by its page kind; anything but `expect` fails the journey."""
        with self.client.request(
            method, path, name=kind, allow_redirects=False, catch_response=True, **kwargs
        ) as response:
            is_expected = response.status_code == expect
            if is_expected:
                response.success()
            else:
                response.failure(f"{response.status_code}")
        if not is_expected:
            raise JourneyError(f"{kind} gave {response.status_code}")
        return response

    def get(self, path: str, kind: str) -> str:
        return str(self.send("GET", path, kind, 200).text)

    def post(self, path: str, kind: str, data: list[tuple[str, str]]) -> str:
        response = self.send("POST", path, kind, 302, data=urlencode(data), headers=FORM_HEADERS)
        return urlsplit(response.headers["Location"]).path

    def run_journey(self) -> None:
        if STATE.stopping:
            raise StopUser()
        STATE.in_flight += 1
        try:
            self.journey()
        except JourneyError as error:
            STATE.journey_failures[str(error)] += 1
        finally:
            STATE.in_flight -= 1

    def journey(self) -> None:
        raise NotImplementedError


class Respondent(Person):
    """A new anonymous respondent on every journey; 1 in 10 presses Send twice."""

    kind = "respondent"

    @task
    def respond(self) -> None:
        self.run_journey()

    def journey(self) -> None:
        self.client.cookiejar.clear()
        key = self.rng.choice(sorted(STATE.world.links))
        token, definition = STATE.world.links[key][0], STATE.definitions[key]
        answers = generate_answers(definition, rng=self.rng)
        start = f"/f/{token}"
        page = self.get(start, "form start GET")
        submission_id = match(SUBMISSION_RE, page, "submission_id")
        self.think()
        data = [*csrf(page), ("submission_id", submission_id)]
        location = self.post(start, "form start POST", data)
        STATE.started.add(submission_id)
        while not location.endswith("/check"):
            page_id = location.rsplit("/", 1)[-1]
            page = self.get(location, "form page GET")
            self.think()
            fields = formdata_for(definition.page(page_id), answers)
            location = self.post(location, "form page POST", [*csrf(page), *fields])
        check = self.get(location, "form check GET")
        self.think()
        final = [*csrf(check), ("submission_id", submission_id)]
        done = self.post(location, "form submit POST", final)
        reference = match(REFERENCE_RE, self.get(done, "form done GET"), "reference")
        sha = free_text_sha(definition, answers)
        STATE.acks.append(Ack(key, submission_id, reference, sha, replay=False))
        if self.rng.random() < 0.1:  # pressed again: same cookies, or a new session
            gevent.sleep(self.rng.uniform(0.2, 3))
            if self.rng.random() < 0.5:
                self.client.cookiejar.clear()
                fresh = self.get(start, "form start GET")
                final = [*csrf(fresh), ("submission_id", submission_id)]
            again = self.post(location, "form replay POST", final)
            reference = match(REFERENCE_RE, self.get(again, "form done GET"), "reference")
            STATE.acks.append(Ack(key, submission_id, reference, sha, replay=True))


class OrganisationPerson(Person):
    """An agency's lead or contributor saving the Section 11 standards they look after."""

    kind = "organisation"

    def on_start(self) -> None:
        super().on_start()
        people = STATE.world.organisation_people
        self.me = people[(self.index - 1) % len(people)]
        self.sign_in_as(self.me.user_id)
        self.saves = 0

    @task
    def work_on_return(self) -> None:
        self.run_journey()

    def journey(self) -> None:
        """Open the return's task list, then open, edit and save one of my standards."""
        cycle = STATE.world.section_11_cycle
        self.get(f"/assessments/{cycle}", "S11 overview GET")
        self.think()
        page_id = self.rng.choice(self.me.pages)
        path = f"/assessments/{cycle}/{page_id}"
        page = self.get(path, "S11 page GET")
        hidden = {name: html.unescape(value) for name, value in HIDDEN_RE.findall(page)}
        self.think()
        definition = STATE.definitions["section-11"]
        answers = generate_answers(definition, rng=self.rng)
        self.saves += 1
        marker = f"[load u{self.me.user_id} save {self.saves}]"
        answers[evidence_question(page_id)] = f"Our audit this quarter shows progress. {marker}"
        fields = formdata_for(definition.page(page_id), answers)
        data = [*csrf(page), *hidden.items(), *fields]
        if self.rng.random() < 0.3:
            data.append(("save_and_return", ""))
        self.post(path, "S11 page save POST", data)
        STATE.saves.append(Save(self.me.user_id, self.me.response_id, page_id, marker))


class QualityMember(Person):
    """A quality-group member reading the latest run's themes and the reports."""

    kind = "quality"

    def on_start(self) -> None:
        super().on_start()
        ids = STATE.world.quality_ids
        self.sign_in_as(ids[(self.index - 1) % len(ids)])

    @task
    def read(self) -> None:
        self.run_journey()

    def journey(self) -> None:
        """Theme list, two themes, then one of the two reports."""
        run_id = STATE.world.run_id
        self.get(f"/quality/runs/{run_id}", "theme list GET")
        for _ in range(2):
            self.think()
            self.get(f"/quality/themes/{self.rng.choice(STATE.world.theme_ids)}", "theme page GET")
        self.think()
        if self.rng.random() < 0.5:
            self.get(f"/reports/runs/{run_id}", "run report GET")
        else:
            self.get("/reports/six-monthly", "six-monthly report GET")
