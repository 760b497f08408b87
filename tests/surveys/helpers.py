"""Builders and readers shared by the survey tests (and the reports and browser tests that
read surveys). Rows are made through the factories (tests/surveys/factories.py); callers
may be inside the organisation already or not."""

import csv
import io
import os

import dj_database_url
import psycopg
from django.db import connection
from django.urls import reverse

from accounts.models import User
from organizations.tenancy import tenant_context, tenant_models
from programs.models import Participant, Topic
from surveys.models import Question, Schedule, Survey
from tests.accounts.factories import UserFactory
from tests.organizations.factories import EmployeeFactory, MembershipFactory
from tests.programs.factories import ParticipantFactory
from tests.surveys.factories import (
    AnswerFactory,
    AssignmentFactory,
    QuestionFactory,
    ResponseFactory,
    ScheduleFactory,
    SurveyFactory,
)

# --- Answering through the pages (the conftest world's five people) ------------------------

PEOPLE = ("ann", "bea", "cy", "dan", "eve")


def make_survey(organization, program, *, anonymous=True, show_free_text=False) -> Survey:
    """One question of every type, in three sections; the last one asks for a story."""
    survey = SurveyFactory(
        organization=organization,
        program=program,
        kind=Survey.Kind.END,
        title="How did it go?",
        anonymous=anonymous,
        show_free_text=show_free_text,
    )
    specs = [
        ("Overall", Question.Type.AGREEMENT, "The program was worth my time.", True, []),
        ("Overall", Question.Type.NPS, "Would you recommend it?", True, []),
        ("Details", Question.Type.SINGLE, "What helped most?", False, ["Time", "Topics"]),
        ("Details", Question.Type.MULTIPLE, "What did you gain?", False, ["Skills", "Contacts"]),
        ("Details", Question.Type.SKILLS, "How confident are you now?", True, []),
        ("Your story", Question.Type.TEXT, "What changed for you?", False, []),
    ]
    for position, (section, type_, text, required, choices) in enumerate(specs):
        QuestionFactory(
            survey=survey,
            section=section,
            position=position,
            type=type_,
            text=text,
            required=required,
            choices=choices,
            story=type_ == Question.Type.TEXT,
        )
    return survey


def make_schedule(organization, survey, cohort) -> Schedule:
    return ScheduleFactory(
        organization=organization, survey=survey, cohort=cohort, anchor="cohort_start"
    )


def assign(organization, schedule, participant, *, opened_days_ago=1, open_days=14):
    return AssignmentFactory(
        organization=organization,
        schedule=schedule,
        participant=participant,
        occasion="cohort_start",
        opened_days_ago=opened_days_ago,
        open_days=open_days,
    )


def full_answer(survey, *, text="It changed how I plan.", consent=False) -> dict:
    """A complete, valid POST for ``make_survey``'s questions."""
    questions = survey_questions(survey)
    with tenant_context(organization=survey.organization):
        topic = Topic.objects.get(programtopic__program=survey.program_id)
    data = {
        f"q{questions['agreement'].pk}": "4",
        f"q{questions['nps'].pk}": "9",
        f"q{questions['single'].pk}": "Topics",
        f"q{questions['multiple'].pk}": ["Skills", "Contacts"],
        f"q{questions['skills'].pk}_t{topic.pk}": "3",
        f"q{questions['text'].pk}": text,
    }
    if consent:
        data["story_consent"] = "on"
    return data


def survey_questions(survey) -> dict[str, Question]:
    with tenant_context(organization=survey.organization):
        return {q.type: q for q in survey.questions.all()}


def sign_in_people(organization):
    for name in PEOPLE:
        if not User.objects.filter(email=f"{name}@acme.example").exists():
            MembershipFactory(
                organization=organization, user=UserFactory(email=f"{name}@acme.example")
            )


def login(client, name):
    client.force_login(User.objects.get(email=f"{name}@acme.example"))


def answer_url(assignment):
    return reverse(
        "surveys_respond:answer", kwargs={"org_slug": "acme", "assignment_id": assignment.pk}
    )


# --- Held answers: a cohort of six mentors and three mentees (the ``cohort`` fixture) -----

MENTORS, MENTEES = 6, 3


def anonymous_schedule(acme, cohort, anchor="cohort_start") -> Schedule:
    """An anonymous survey (an agreement question, then an optional free text) scheduled
    for the cohort, opened a day ago for everyone in it; ``each_session`` gives each
    person an occasion of their own."""
    survey = SurveyFactory(program=cohort.program, title="Worth it?", anonymous=True)
    for position, kind in enumerate(("agreement", "text")):
        QuestionFactory(
            survey=survey,
            position=position,
            type=kind,
            text=f"Question {kind}",
            required=kind == "agreement",
        )
    schedule = ScheduleFactory(survey=survey, cohort=cohort, anchor=anchor, open_days=14)
    with tenant_context(organization=acme):
        people = list(Participant.objects.filter(cohort=cohort).order_by("pk"))
    for n, person in enumerate(people):
        AssignmentFactory(
            schedule=schedule,
            participant=person,
            occasion=anchor if anchor != "each_session" else f"session:{n}",
        )
    return schedule


# --- Results: responses built directly, for constructed groups ----------------------------


def results_survey(organization, program, *, anonymous=True, show_free_text=False) -> Survey:
    """One question of each type."""
    survey = SurveyFactory(
        organization=organization,
        program=program,
        kind=Survey.Kind.END,
        title="End of the pilot",
        anonymous=anonymous,
        show_free_text=show_free_text,
    )
    specs = [
        (Question.Type.AGREEMENT, "Worth my time", []),
        (Question.Type.NPS, "Would you recommend it?", []),
        (Question.Type.SINGLE, "What helped most?", ["Time", "Topics", "Nothing"]),
        (Question.Type.MULTIPLE, "What did you gain?", ["Skills", "Contacts", "Confidence"]),
        (Question.Type.SKILLS, "How confident are you now?", []),
        (Question.Type.TEXT, "What changed for you?", []),
    ]
    for position, (type_, text, choices) in enumerate(specs):
        QuestionFactory(
            survey=survey,
            position=position,
            type=type_,
            text=text,
            required=type_ != Question.Type.TEXT,
            choices=choices,
        )
    return survey


def results_schedule(survey, cohort) -> Schedule:
    return ScheduleFactory(survey=survey, cohort=cohort, anchor="cohort_end")


def response_with(schedule, role, values, *, participant=None, department="", level=None):
    """A response with the given answers, by question type."""
    survey = schedule.survey
    response = ResponseFactory(
        schedule=schedule,
        role=role,
        week="2027-W20",
        participant=participant,
        department=department,
        level=level,
    )
    with tenant_context(organization=survey.organization):
        questions = list(survey.questions.all())
    for question in questions:
        value = values.get(question.type)
        if value is not None:
            AnswerFactory(response=response, question=question, value=value)
    return response


def responses_many(schedule, role, n, values=None, **kwargs):
    for _ in range(n):
        response_with(schedule, role, values or {"agreement": 4}, **kwargs)


def people_in(organization, cohort, role, n, prefix):
    """``n`` approved participants of the cohort in ``role``, employees ``<prefix><i>``."""
    return [
        ParticipantFactory(
            cohort=cohort,
            role=role,
            employee=EmployeeFactory(
                organization=organization,
                employee_number=f"{prefix}{i}",
                name=f"{prefix.title()} {i}",
                email=f"{prefix}{i}@acme.example",
            ),
        )
        for i in range(n)
    ]


def assignment_for(schedule, participant, *, answered, occasion="cohort_end"):
    """Opened a day ago, closing in thirteen days."""
    return AssignmentFactory(
        schedule=schedule, participant=participant, occasion=occasion, answered=answered
    )


def results_url(survey, suffix="results/"):
    return f"/o/{survey.organization.slug}/surveys/{survey.pk}/{suffix}"


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- Results through the API, in the export's columns --------------------------------------

RESULTS = "/api/v1/surveys/{survey_id}/results/"


def _percent(share) -> str:
    return "" if share is None else str(round(share * 100))


FIGURES = [
    "answered", "response_rate_percent", "mean", "satisfied_percent", "nps",
    "promoters_percent", "detractors_percent", "counts", "topic_means", "texts",
    "published_on",
]  # fmt: skip


def api_cell_as_csv(question: dict, cell: dict) -> dict:
    """An API cell in the export's columns, to compare figure by figure."""
    group = cell["group"]
    base = {
        "question_number": str(question["number"]),
        "type": question["type"],
        "breakdown": group["dimension"],
        "group": group["label"],
    }
    if cell["hidden"]:
        assert cell["status"] == "hidden" and cell["figures"] is None
        return {**base, "status": "hidden", **dict.fromkeys(FIGURES, "")}
    f = cell["figures"]
    topics = []
    for t in f["topics"]:
        if t["hidden"]:
            assert t["count"] is None and t["mean"] is None
        mean = "" if t["mean"] is None else f"{t['mean']:.1f}"
        topics.append(f"{t['topic']}: " + ("hidden" if t["hidden"] else mean))
    return {
        **base,
        "status": {"shown": "shown"}[cell["status"]],
        "answered": str(f["answered"]),
        "response_rate_percent": _percent(f["response_rate"]),
        "mean": "" if f["mean"] is None else f"{f['mean']:.1f}",
        "satisfied_percent": _percent(f["satisfaction"]),
        "nps": "" if f["nps"] is None else str(f["nps"]),
        "promoters_percent": _percent(f["promoters"]),
        "detractors_percent": _percent(f["detractors"]),
        "counts": "; ".join(f"{bar['label']}: {bar['count']}" for bar in f["bars"]),
        "topic_means": "; ".join(topics),
        "texts": "\n".join(f["texts"] or []),
        "published_on": cell["published_on"],
    }


def api_as_csv(results: dict) -> list[dict]:
    rows = []
    for question in results["questions"]:
        cells = [question["overall"]] + [c for b in question["breakdowns"] for c in b["cells"]]
        rows += [api_cell_as_csv(question, cell) for cell in cells]
    return rows


# --- The database as an attacker reads it (PostgreSQL) ----------------------------------


def _tables() -> list[str]:
    return sorted({model._meta.db_table for model in tenant_models()})


def _rows(cursor) -> list[tuple[int, str, str]]:
    """Every row of every tenant table: (xmin, table, the row as text)."""
    rows = []
    for table in _tables():
        cursor.execute(f'SELECT xmin::text::bigint, t::text FROM "{table}" t')  # noqa: S608
        rows.extend((xmin, table, text) for xmin, text in cursor.fetchall())
    return rows


def rows_as_readers(organization):
    """The rows as the app role reads them (inside the organisation) and as the owner."""
    with tenant_context(organization=organization), connection.cursor() as cursor:
        as_app = _rows(cursor)
    # The tables' owner is DATABASE_URL's user: the tests switch to the app role after
    # creating the database as the owner (tests/conftest.py).
    owner = dj_database_url.parse(os.environ["DATABASE_URL"])
    with (
        psycopg.connect(
            host=owner["HOST"] or "127.0.0.1",
            port=owner["PORT"] or 5432,
            dbname=connection.settings_dict["NAME"],
            user=owner["USER"],
        ) as direct,
        direct.cursor() as cursor,
    ):
        as_owner = _rows(cursor)
    return {"app role": as_app, "owner": as_owner}


def contains_marker(text: str, marker: str) -> bool:
    # Bytes are shown as hex: look for the marker written either way.
    return marker in text or marker.encode().hex() in text
