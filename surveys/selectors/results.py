"""Survey results, the read behind the results page, its CSV and the API: per question,
the figures for the whole survey and its breakdowns, with small groups hidden wherever
they would otherwise show.

Every figure belongs to a group of respondents: everyone, a cohort, a role, a department
or a level (those two for attributed surveys only), or a role, department or level within
one cohort (what the page shows under its cohort filter). The page under every filter and
the CSV draw on one set of groups, and each group is hidden or shown the same way
everywhere, so a single audit covers every output.

How small groups stay hidden, per question (and per topic of a skills grid, which people
may rate only in part), by organizations.suppression (pure; ``hidden_groups`` there):

1. A group with fewer respondents than ``min_group`` shows no figures at all.
2. A hidden cohort hides its own breakdowns too.
3. Complementary suppression: a shown group minus the shown cells of a breakdown lying
   inside it must leave nobody or at least ``min_group`` people; otherwise the smallest of
   those cells is hidden as well. (One hidden cell in a breakdown always takes a second
   one with it.)
4. An audit for everything else, such as differences across two breakdowns or between a
   cohort and the page filtered to it. Every figure shown is additive over people (counts
   per answer; means, shares and NPS follow from the counts and the number who answered),
   so whatever any combination of shown groups reveals is a linear combination of them. A
   small mixed-integer program looks for a combination of shown groups that equals a set
   of fewer than ``min_group`` people; while one exists, the smallest group in it is
   hidden too. If the solver cannot decide, only the overall figures stay.

People are counted, not responses: someone answering a pulse after every session counts
once. Attributed responses name their participant (a person whose answers fall in two
cross cells, after a change of department, counts in neither). Anonymous ones do not, so
the count is a lower bound from assignment counts alone: a cohort and role's answers
divided by the most times any one person of it answered the survey, rounded up.

Free text is only ever counted by group; the texts themselves are listed for the whole
survey (or the cohort filtered to) when the survey allows it and that group is shown, in
alphabetical order (never the order they came in).

Over time (organizations.disclosure has the rule and its reasons): a group's figures are
published once it is shown, and stay as published until the people behind them have
changed by at least ``min_group``; then the current figures are published. A group hidden
now shows nothing, whatever its size, zero included ("no answers" would be news about a
small group too). What was published is one row per survey, question (or skills topic,
or the responses as a whole) and group in the ledger, so the page, its CSV and the API
show the same figures under every filter, and two moments never differ by one person's
answer: an answer from the fifth person of a shown group of ten waits with the next four.
"""

import hashlib
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from datetime import date

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.disclosure import Candidate, Publication, key_of, publish
from organizations.suppression import (
    DIMENSION_POSITION,
    ROOT,
    Key,
    group_key,
    hidden_groups,
    in_group,
    survey_min_group,
)
from programs.models import Cohort, Participant, Topic
from surveys.models import Answer, Assignment, Question, QuestionTypes, Response, Survey

CACHE_SECONDS = 24 * 3600


def _percent(share: float | None) -> int | None:
    return None if share is None else round(share * 100)


@dataclass(frozen=True)
class Group:
    key: Key
    dimension: str  # "all", or the dimension of the breakdown it is a cell of
    label: str


@dataclass
class Bar:
    label: str
    count: int
    share: float  # of those who answered, 0 to 1

    @property
    def percent(self) -> int:
        return round(self.share * 100)


@dataclass
class TopicMean:
    topic: str
    hidden: bool
    count: int | None = None
    mean: float | None = None

    @property
    def percent(self) -> int:
        """The mean as a share of the 1 to 5 scale, for a bar."""
        return round((self.mean or 0) / 5 * 100)


@dataclass
class Figures:
    answered: int
    response_rate: float | None = None  # answered / asked, 0 to 1; None if not known
    bars: list[Bar] = field(default_factory=list)  # distribution, or counts per choice
    mean: float | None = None  # agreement
    satisfaction: float | None = None  # agreement: share at 4 or 5
    nps: int | None = None
    promoters: float | None = None
    detractors: float | None = None
    topics: list[TopicMean] = field(default_factory=list)  # skills
    texts: list[str] | None = None  # free text, only where it may be shown

    # Whole per cents, for display.
    @property
    def rate_percent(self) -> int | None:
        return _percent(self.response_rate)

    @property
    def satisfaction_percent(self) -> int | None:
        return _percent(self.satisfaction)

    @property
    def promoters_percent(self) -> int | None:
        return _percent(self.promoters)

    @property
    def detractors_percent(self) -> int | None:
        return _percent(self.detractors)


@dataclass(frozen=True)
class Value:
    """One figure of a breakdown table: kind is "decimal", "percent" (a whole number of
    per cent), "number" or "hidden" (a skills topic too few rated in this group)."""

    kind: str
    value: float | int | None = None

    @property
    def is_hidden(self) -> bool:
        return self.kind == "hidden"

    @property
    def is_decimal(self) -> bool:
        return self.kind == "decimal"

    @property
    def is_percent(self) -> bool:
        return self.kind == "percent"


@dataclass
class Cell:
    group: Group
    # "shown", or "hidden": fewer than min_group (zero included), or a group whose figures
    # would give a hidden one away. ("empty" is no longer given: hidden is hidden.)
    status: str
    figures: Figures | None = None
    values: list[Value] = field(default_factory=list)  # the question's columns
    published_on: date | None = None  # the day the figures shown were published

    @property
    def hidden(self) -> bool:
        return self.status == "hidden"

    @property
    def empty(self) -> bool:
        return self.status == "empty"


@dataclass
class Breakdown:
    dimension: str
    label: str
    cells: list[Cell]

    @property
    def hidden_count(self) -> int:
        return sum(1 for cell in self.cells if cell.hidden)

    @property
    def all_hidden(self) -> bool:
        """Every cell hidden: the page says so once, for the breakdown, rather than
        labelling each cell (a cell hidden to protect a small one is not small itself,
        so no one label per cell is true of them all)."""
        return all(cell.hidden for cell in self.cells)


@dataclass
class QuestionResult(QuestionTypes):
    question_id: int
    number: int
    section: str
    text: str
    type: str
    type_label: str
    columns: list[str]  # what the breakdown tables show per group, after the counts
    overall: Cell
    breakdowns: list[Breakdown]
    texts_note: str = ""  # why free text is not listed, if it is not


@dataclass
class SurveyResults:
    survey_id: int
    title: str
    anonymous: bool
    show_free_text: bool
    min_group: int
    cohorts: list[tuple[int, str]]
    cohort_id: int | None  # the cohort filtered to, if any
    responses: Cell  # how many answered the survey at all, against how many were asked
    asked: int
    questions: list[QuestionResult]


@dataclass(frozen=True)
class _Row:
    """A response as results see it: its cross cell and, if attributed, its person."""

    atom: tuple
    person: int | None


def _values(question: Question, figures: Figures) -> list[Value]:
    """The figures a breakdown table shows for a group, in ``_type_columns`` order."""
    kind = question.type
    if kind == Question.Type.AGREEMENT:
        return [Value("decimal", figures.mean), Value("percent", _percent(figures.satisfaction))]
    if kind == Question.Type.NPS:
        return [
            Value("number", figures.nps),
            Value("percent", _percent(figures.promoters)),
            Value("percent", _percent(figures.detractors)),
        ]
    if kind in (Question.Type.SINGLE, Question.Type.MULTIPLE):
        return [Value("number", bar.count) for bar in figures.bars[: len(question.choices)]]
    if kind == Question.Type.SKILLS:
        return [
            Value("hidden") if topic.hidden else Value("decimal", topic.mean)
            for topic in figures.topics
        ]
    return []


def _type_columns(question: Question, topics: list[str]) -> list[str]:
    kind = question.type
    if kind == Question.Type.AGREEMENT:
        return [_("Mean (1–5)"), _("Satisfied (4–5)")]
    if kind == Question.Type.NPS:
        return [_("NPS"), _("Promoters (9–10)"), _("Detractors (0–6)")]
    if kind in (Question.Type.SINGLE, Question.Type.MULTIPLE):
        return [str(choice) for choice in question.choices]
    if kind == Question.Type.SKILLS:
        return topics
    return []


def _int_values(values, low, high) -> list[int]:
    out = []
    for value in values:
        if isinstance(value, bool):
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if low <= number <= high:
            out.append(number)
    return out


def _distribution(numbers: list[int], low: int, high: int) -> list[Bar]:
    counts = Counter(numbers)
    total = len(numbers) or 1
    return [Bar(str(v), counts[v], counts[v] / total) for v in range(low, high + 1)]


def _choice_bars(question: Question, values: list) -> list[Bar]:
    counts = Counter()
    for value in values:
        for choice in value if isinstance(value, list) else [value]:
            counts[str(choice)] += 1
    labels = [str(c) for c in question.choices]
    labels += sorted(c for c in counts if c not in labels)  # choices since renamed
    total = len(values) or 1
    return [Bar(label, counts[label], counts[label] / total) for label in labels]


@dataclass
class _Pending:
    """A shown cell as computed now, and what its publication needs."""

    cell: Cell
    question: Question | None  # None: the responses to the survey as a whole
    key: Key
    size: int  # the people behind its figures
    with_texts: bool  # free text shows in this cell (the overall group's)
    topics: dict[int, int]  # a skills question's shown topics: topic id -> people

    def _group(self) -> str:
        return json.dumps(self.key, separators=(",", ":"), default=str)

    @property
    def ledger_key(self) -> str:
        what = "responses" if self.question is None else f"q{self.question.pk}"
        return key_of(what, self._group())

    def topic_key(self, topic_id: int) -> str:
        return key_of(f"q{self.question.pk}", f"t{topic_id}", self._group())


def _figures_json(pending: _Pending) -> dict:
    """A cell's figures as the ledger keeps them (the skills topics apart: each has its
    own group of raters)."""
    data = asdict(pending.cell.figures)
    data.pop("topics", None)
    return data


# What a published cell may hold (a field added since is left at its default).
_FIGURES_FIELDS = {one.name for one in fields(Figures)} - {"topics"}


def _apply(pending: _Pending, published: dict[str, Publication | None], topics) -> None:
    cell, question = pending.cell, pending.question
    one = published[pending.ledger_key]
    if one is None:  # cannot happen for a shown group (it has min_group people); hide
        cell.status, cell.figures, cell.values = "hidden", None, []
        return
    data = {name: value for name, value in one.figures.items() if name in _FIGURES_FIELDS}
    bars = [Bar(**bar) for bar in data.pop("bars", [])]
    texts = data.pop("texts", None)
    figures = Figures(**{**data, "bars": bars})
    figures.texts = texts if pending.with_texts else None
    on = one.on
    if question is not None and question.type == Question.Type.SKILLS:
        for topic_id, name in topics:
            topic = None
            if topic_id in pending.topics:
                topic = published[pending.topic_key(topic_id)]
            if topic is None:
                figures.topics.append(TopicMean(name, hidden=True))
            else:
                figures.topics.append(TopicMean(name, False, **topic.figures))
                on = max(on, topic.on)
    cell.figures = figures
    cell.values = [] if question is None else _values(question, figures)
    cell.published_on = on


class _Computation:
    """One survey's data, loaded once, and the groups every output shares."""

    def __init__(self, survey: Survey, threshold: int):
        self.survey = survey
        self.threshold = threshold
        self.attributed = not survey.anonymous
        self.questions = list(survey.questions.all())
        self._load()
        self._build_groups()
        self._hidden_cache: dict[tuple, set[Key]] = {}
        self.pending: list[_Pending] = []  # the shown cells, waiting for their publication

    # Loading.

    def _load(self) -> None:
        survey = self.survey
        self.rows: dict = {}
        fields = ("pk", "cohort_id", "role", "department", "level", "participant_id")
        for pk, cohort_id, role, department, level, person in Response.objects.filter(
            schedule__survey=survey
        ).values_list(*fields):
            if self.attributed:
                atom = (cohort_id, role, department or "", level)
            else:  # an anonymous response keeps neither, and nothing here asks
                atom, person = (cohort_id, role, "", None), None
            self.rows[pk] = _Row(atom, person)
        self.answers: dict[int, list[tuple[_Row, object]]] = defaultdict(list)
        for response_id, question_id, value in Answer.objects.filter(
            question__survey=survey, response__schedule__survey=survey
        ).values_list("response_id", "question_id", "value"):
            row = self.rows.get(response_id)
            if row is not None:
                self.answers[question_id].append((row, value))

        # Who was asked, and the most times any one person of a cohort and role answered:
        # counts from assignments only, never joined to a response.
        assignments = Assignment.objects.filter(schedule__survey=survey)
        self.asked: Counter = Counter()
        for cohort_id, role, n in (
            assignments.order_by()
            .values_list("schedule__cohort_id", "participant__role")
            .annotate(n=Count("pk"))
        ):
            self.asked[(cohort_id, role)] += n
        self.repeats: dict[tuple, int] = defaultdict(lambda: 1)
        for cohort_id, role, _person, n in (
            assignments.filter(answered=True)
            .order_by()
            .values_list("schedule__cohort_id", "participant__role", "participant_id")
            .annotate(n=Count("pk"))
        ):
            self.repeats[(cohort_id, role)] = max(self.repeats[(cohort_id, role)], n)

        cohort_ids = set(survey.schedules.values_list("cohort_id", flat=True))
        cohort_ids |= {row.atom[0] for row in self.rows.values()}
        self.cohorts = list(
            Cohort.objects.filter(pk__in=cohort_ids).order_by("start_date", "name", "pk")
        )
        topic_ids = list(
            survey.program.programtopic_set.values_list("topic_id", flat=True)
            if survey.program_id
            else []
        )
        for question in self.questions:
            if question.type == Question.Type.SKILLS:
                for _row, value in self.answers[question.pk]:
                    if isinstance(value, dict):
                        topic_ids += [int(k) for k in value if str(k).isdigit()]
        names = dict(Topic.objects.filter(pk__in=topic_ids).values_list("pk", "name"))
        self.topics = sorted(names.items(), key=lambda item: (item[1].casefold(), item[0]))

    # Groups.

    def _build_groups(self) -> None:
        roles = dict(Participant.Role.choices)
        cohort_names = {c.pk: c.name for c in self.cohorts}
        atoms = {row.atom for row in self.rows.values()}

        def values(dimension, within=None):
            present = {
                a[DIMENSION_POSITION[dimension]] for a in atoms if within is None or a[0] == within
            }
            if dimension == "department":
                return sorted(present, key=lambda d: (d == "", d.casefold()))
            return sorted(present, key=lambda level: (level is None, level or 0))

        def label(dimension, value) -> str:
            if dimension == "cohort":
                return cohort_names.get(value, _("Cohort %(id)s") % {"id": value})
            if dimension == "role":
                return str(roles.get(value, value))
            if dimension == "department":
                return value or _("No department")
            return _("Level %(level)s") % {"level": value} if value is not None else _("No level")

        self.group_info: dict[Key, Group] = {ROOT: Group(ROOT, "all", _("All respondents"))}
        self.breakdowns: dict[Key, list[tuple[str, list[Key]]]] = {}
        dimensions = ["role"] + (["department", "level"] if self.attributed else [])
        scopes = [(ROOT, None)] + [((("cohort", c.pk),), c.pk) for c in self.cohorts]
        for scope, cohort_id in scopes:
            own = []
            for dimension in (["cohort"] if cohort_id is None else []) + dimensions:
                if dimension == "cohort":
                    cells_values = [c.pk for c in self.cohorts]
                elif dimension == "role":
                    cells_values = list(roles)
                else:
                    cells_values = values(dimension, within=cohort_id)
                cells = []
                for value in cells_values:
                    key = group_key(scope + ((dimension, value),))
                    self.group_info.setdefault(key, Group(key, dimension, label(dimension, value)))
                    cells.append(key)
                own.append((dimension, cells))
            self.breakdowns[scope] = own
        self.flat_breakdowns = [
            (scope, cells) for scope, own in self.breakdowns.items() for _d, cells in own
        ]
        self._family = (tuple(self.group_info), tuple(map(repr, self.flat_breakdowns)))

    # Suppression per measure.

    def _sizes(self, rows: list[_Row]) -> dict[tuple, int]:
        present = {row.atom for row in rows}
        if self.attributed:
            cells_of = defaultdict(set)
            for row in rows:
                if row.person is not None:
                    cells_of[row.person].add(row.atom)
            people = Counter(next(iter(cells)) for cells in cells_of.values() if len(cells) == 1)
            return {atom: people[atom] for atom in present}
        answers = Counter(row.atom for row in rows)
        return {atom: math.ceil(n / self.repeats[atom[:2]]) for atom, n in answers.items()}

    def hidden(self, rows: list[_Row]) -> tuple[set[Key], set[Key]]:
        """(hidden groups, empty groups) for a measure answered by ``rows``."""
        sizes = self._sizes(rows)
        atoms = sorted(sizes, key=repr)
        signature = tuple((atom, sizes[atom]) for atom in atoms)
        if signature not in self._hidden_cache:
            # A pure function of its inputs, so it may be kept: the audit takes a while
            # for a large attributed survey.
            digest = hashlib.sha256(
                repr((signature, self._family, self.threshold)).encode()
            ).hexdigest()
            cache_key = f"surveys:hidden:{digest}"
            found = cache.get(cache_key)
            if found is None:
                found = hidden_groups(
                    atoms=atoms,
                    sizes=[sizes[a] for a in atoms],
                    groups=self.group_info,
                    breakdowns=self.flat_breakdowns,
                    threshold=self.threshold,
                )
                cache.set(cache_key, found, CACHE_SECONDS)
            self._hidden_cache[signature] = found
        empty = {key for key in self.group_info if not any(in_group(a, key) for a in atoms)}
        return self._hidden_cache[signature], empty

    # Figures.

    def asked_in(self, key: Key) -> int | None:
        """How many were asked in a group of cohort and role; None for other groups."""
        if any(dimension not in ("cohort", "role") for dimension, _v in key):
            return None
        return sum(n for cell, n in self.asked.items() if in_group(cell, key))

    def status(self, key: Key, hidden: set[Key], empty: set[Key]) -> str:
        # A group with no answers is hidden too: "no answers" one day and "fewer than 5"
        # the next would tell that someone of a small group answered (and, under a hidden
        # group, where the few answers came from).
        return "hidden" if key in hidden or key in empty else "shown"

    @staticmethod
    def size(sizes: dict[tuple, int], key: Key) -> int:
        """The people behind a group's figures (as the audit counts them), from the
        measure's people per cross cell (``_sizes``)."""
        return sum(n for atom, n in sizes.items() if in_group(atom, key))

    def figures(self, question: Question, key: Key, answers, topic_status) -> Figures:
        values = [value for row, value in answers if in_group(row.atom, key)]
        asked = self.asked_in(key)
        figures = Figures(
            answered=len(values), response_rate=len(values) / asked if asked else None
        )
        kind = question.type
        if kind == Question.Type.AGREEMENT:
            numbers = _int_values(values, 1, 5)
            figures.bars = _distribution(numbers, 1, 5)
            if numbers:
                figures.mean = sum(numbers) / len(numbers)
                figures.satisfaction = sum(1 for n in numbers if n >= 4) / len(numbers)
        elif kind == Question.Type.NPS:
            numbers = _int_values(values, 0, 10)
            figures.bars = _distribution(numbers, 0, 10)
            if numbers:
                figures.promoters = sum(1 for n in numbers if n >= 9) / len(numbers)
                figures.detractors = sum(1 for n in numbers if n <= 6) / len(numbers)
                figures.nps = round(100 * (figures.promoters - figures.detractors))
        elif kind in (Question.Type.SINGLE, Question.Type.MULTIPLE):
            figures.bars = _choice_bars(question, values)
        elif kind == Question.Type.SKILLS:
            for topic_id, name in self.topics:
                status = topic_status(topic_id, key)
                if status == "hidden":
                    figures.topics.append(TopicMean(name, hidden=True))
                    continue
                levels = _int_values(
                    [v.get(str(topic_id)) for v in values if isinstance(v, dict)], 1, 5
                )
                figures.topics.append(
                    TopicMean(
                        name,
                        hidden=False,
                        count=len(levels),
                        mean=sum(levels) / len(levels) if levels else None,
                    )
                )
        return figures

    def question_result(self, number: int, question: Question, scope: Key) -> QuestionResult:
        answers = self.answers[question.pk]
        hidden, empty = self.hidden([row for row, _v in answers])
        topic_statuses, topic_sizes = {}, {}
        if question.type == Question.Type.SKILLS:
            for topic_id, _name in self.topics:
                rows = [
                    row
                    for row, value in answers
                    if isinstance(value, dict) and value.get(str(topic_id)) not in (None, "")
                ]
                topic_statuses[topic_id] = self.hidden(rows)
                topic_sizes[topic_id] = self._sizes(rows)

        def topic_status(topic_id, key):
            topic_hidden, topic_empty = topic_statuses[topic_id]
            return self.status(key, topic_hidden, topic_empty)

        is_text = question.type == Question.Type.TEXT
        show_texts = is_text and self.survey.show_free_text
        sizes = self._sizes([row for row, _v in answers])

        def cell(key: Key, *, with_texts: bool = False) -> Cell:
            status = self.status(key, hidden, empty)
            group = self.group_info[key]
            if status == "hidden":
                return Cell(group, status)
            figures = self.figures(question, key, answers, topic_status)
            if show_texts:
                # Published with every group's figures, shown with the overall group's
                # only: one publication of a group, whichever page shows it.
                figures.texts = sorted(
                    (str(v) for row, v in answers if in_group(row.atom, key)),
                    key=lambda t: (t.casefold(), t),
                )
            made = Cell(group, status, figures, _values(question, figures))
            topics = {
                topic_id: self.size(topic_sizes[topic_id], key)
                for topic_id in topic_sizes
                if topic_status(topic_id, key) == "shown"
            }
            self.pending.append(
                _Pending(made, question, key, self.size(sizes, key), with_texts, topics)
            )
            return made

        overall = cell(scope, with_texts=show_texts)
        note = ""
        if is_text and not self.survey.show_free_text:
            note = _("This survey counts free-text answers and never shows them.")
        elif is_text and overall.status != "shown":
            note = _("Free text shows only for a group large enough to show figures.")
        labels = {
            "cohort": _("By cohort"),
            "role": _("By role"),
            "department": _("By department"),
            "level": _("By level"),
        }
        breakdowns = [
            Breakdown(dimension, labels[dimension], [cell(key) for key in keys])
            for dimension, keys in self.breakdowns[scope]
        ]
        return QuestionResult(
            question_id=question.pk,
            number=number,
            section=question.section,
            text=question.text,
            type=question.type,
            type_label=str(question.get_type_display()),
            columns=_type_columns(question, [name for _id, name in self.topics]),
            overall=overall,
            breakdowns=breakdowns,
            texts_note=note,
        )

    def responses_cell(self, scope: Key) -> Cell:
        rows = list(self.rows.values())
        hidden, empty = self.hidden(rows)
        status = self.status(scope, hidden, empty)
        group = self.group_info[scope]
        if status == "hidden":
            return Cell(group, status)
        answered = sum(1 for row in rows if in_group(row.atom, scope))
        asked = self.asked_in(scope)
        made = Cell(group, status, Figures(answered, answered / asked if asked else None))
        size = self.size(self._sizes(rows), scope)
        self.pending.append(_Pending(made, None, scope, size, False, {}))
        return made

    # Publication over time (organizations.disclosure).

    def publish(self, organization, on: date) -> None:
        """Replace every shown cell's figures by its group's publication: the current
        figures when they are published now, else the ones published before."""
        candidates = {}
        for pending in self.pending:
            candidates[pending.ledger_key] = Candidate(pending.size, _figures_json(pending))
            topics = pending.cell.figures.topics  # in self.topics' order
            for (topic_id, _name), topic in zip(self.topics, topics, strict=False):
                if topic_id in pending.topics:
                    candidates[pending.topic_key(topic_id)] = Candidate(
                        pending.topics[topic_id], {"count": topic.count, "mean": topic.mean}
                    )
        published = publish(
            organization, f"survey:{self.survey.pk}", candidates, threshold=self.threshold, on=on
        )
        for pending in self.pending:
            _apply(pending, published, self.topics)


def survey_results(survey: Survey, *, organization, cohort_id: int | None = None) -> SurveyResults:
    """Everything the results page and the export show, for the whole survey or one of
    its cohorts, with small groups hidden (see the module's docstring)."""
    threshold = survey_min_group(organization)
    computation = _Computation(survey, threshold)
    known = {c.pk for c in computation.cohorts}
    scope = (("cohort", cohort_id),) if cohort_id in known else ROOT
    questions = [
        computation.question_result(number, question, scope)
        for number, question in enumerate(computation.questions, start=1)
    ]
    responses = computation.responses_cell(scope)
    computation.publish(organization, timezone.localdate(timezone=organization.zone))
    return SurveyResults(
        survey_id=survey.pk,
        title=survey.title,
        anonymous=survey.anonymous,
        show_free_text=survey.show_free_text,
        min_group=threshold,
        cohorts=[(c.pk, c.name) for c in computation.cohorts],
        cohort_id=cohort_id if scope != ROOT else None,
        responses=responses,
        asked=computation.asked_in(scope) or 0,
        questions=questions,
    )


def shown_groups(results: SurveyResults) -> Iterable[tuple[QuestionResult, Cell]]:
    """Every (question, cell) of a results object, overall first: for exports."""
    for question in results.questions:
        yield question, question.overall
        for breakdown in question.breakdowns:
            for cell in breakdown.cells:
                yield question, cell
