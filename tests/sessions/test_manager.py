"""The program manager's view of the pairs (activity, never what anyone wrote) and the
mentor support circles."""

import csv
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateformat import format as date_format

from directory.models import Employee
from matching import services as matching
from matching.models import Pair
from organizations.tenancy import tenant_context
from programs.models import Cohort, Participant, Program
from sessions import circles, reminders
from sessions.models import (
    CircleAttendance,
    Commitment,
    Goal,
    MentoringSession,
    Note,
    Reflection,
    SessionChange,
    SupportCircle,
)
from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")  # the organisation's time zone unless a test sets another

# Words only their writers and partners may read: none may reach a manager's page or export.
SECRETS = [
    "PRIVATE-NOTE-Dan-seemed-tired",
    "SHARED-NOTE-try-Copilot",
    "LEARNED-how-budgets-are-set",
    "TAUGHT-prompting-basics",
    "COMMITMENT-use-Copilot-for-drafts",
    "GOAL-TITLE-weekly-practice",
    "AGENDA-getting-to-know-you",
]


def _days_ago(days, hours=0):
    return timezone.now() - timedelta(days=days, hours=hours)


def _session(pair, days, status="held", agenda=""):
    return MentoringSession.objects.create(
        organization=pair.organization,
        pair=pair,
        starts_at=_days_ago(days),
        status=status,
        agenda=agenda,
    )


def _change(session, kind, role, hours_notice):
    return SessionChange.objects.create(
        organization=session.organization,
        session=session,
        kind=kind,
        requested_by_role=role,
        hours_notice=hours_notice,
        previous_starts_at=session.starts_at,
    )


def _reflect(session, participant, rating, learned="", taught=""):
    return Reflection.objects.create(
        organization=session.organization,
        session=session,
        participant=participant,
        rating=rating,
        learned=learned,
        taught=taught,
    )


def _extra_pair(acme, run, n, *, days_ago=100):
    """A further active pair of the world's cohort: new mentor and mentee number ``n``."""
    people = []
    for role in ("mentor", "mentee"):
        employee = Employee.objects.create(
            organization=acme,
            employee_number=f"X{role}{n}",
            name=f"Extra {role.title()} {n}",
            email=f"x{role}{n}@acme.example",
        )
        people.append(
            Participant.objects.create(
                organization=acme,
                program=run.cohort.program,
                cohort=run.cohort,
                employee=employee,
                role=role,
                status=Participant.Status.APPROVED,
            )
        )
    return Pair.objects.create(
        organization=acme,
        run=run,
        program=run.cohort.program,
        cohort=run.cohort,
        mentor=people[0],
        mentee=people[1],
        status=Pair.Status.ACTIVE,
        score=1.0,
        explanation="",
        published_at=_days_ago(days_ago),
    )


def _busy(pair, users):
    """A pair's full history: every kind of row the list aggregates, and text in each."""
    held = _session(pair, 40, agenda=SECRETS[6])
    cancelled = _session(pair, 20, status="cancelled")
    _change(cancelled, "cancelled", "mentee", 5)
    _change(held, "rescheduled", "mentor", 2)
    _reflect(held, pair.mentor, 5, learned=SECRETS[2])
    _reflect(held, pair.mentee, 3, taught=SECRETS[3])
    Goal.objects.create(organization=pair.organization, pair=pair, title=SECRETS[5])
    Commitment.objects.create(
        organization=pair.organization,
        pair=pair,
        participant=pair.mentee,
        text=SECRETS[4],
        theme="tool",
    )
    for visibility, text in (("private", SECRETS[0]), ("shared", SECRETS[1])):
        with tenant_context(organization=pair.organization, user=users[pair.mentor_id]):
            Note.objects.create(
                organization=pair.organization,
                session=held,
                author=pair.mentor,
                author_user=users[pair.mentor_id],
                visibility=visibility,
                text=text,
            )


@pytest.fixture
def published(acme, world):
    """The world's cohort, started 120 days ago, matched and published: two pairs (Dan's
    and Eve's), paired 100 days ago."""
    with tenant_context(organization=acme):
        run = matching.matching_run(cohort=world["cohort"], actor=None)
        matching.run_publish(run=run)
        Pair.objects.filter(run=run).update(published_at=_days_ago(100))
        Cohort.objects.filter(pk=world["cohort"].pk).update(
            start_date=_days_ago(120).date(), end_date=_days_ago(-200).date()
        )
        return {
            "run": run,
            "dan": Pair.objects.select_related("mentor", "mentee").get(mentee=world["Dan"]),
            "eve": Pair.objects.select_related("mentor", "mentee").get(mentee=world["Eve"]),
        }


@pytest.fixture
def history(acme, world, published):
    """Three pairs with a constructed history (the program: one session a month, 6 planned;
    100 days in, 3 sessions are due).

    Dan's pair, on track: held 80, 50 and 10 days ago; two more sessions cancelled, one by
    the mentee at 5 hours' notice (after moving it late), one by the mentor with 4 days'
    notice; the mentee moved the last held one at 3 hours' notice, the mentor moved the
    middle one with 3 days' notice (not late). Ratings 5, 4, 4. Goals: one of two done.
    Eve's pair, behind: one session held 20 days ago. A third pair, gone quiet: one session
    held 90 days ago, nothing booked since."""
    dan, eve = published["dan"], published["eve"]
    users = {}
    with tenant_context(organization=acme):
        for participant in (dan.mentor, dan.mentee):
            users[participant.pk] = UserFactory(email=participant.employee.email)
        first = _session(dan, 80)
        middle = _session(dan, 50)
        last = _session(dan, 10)
        by_mentee = _session(dan, 30, status="cancelled")
        by_mentor = _session(dan, 60, status="cancelled")
        _change(by_mentee, "rescheduled", "mentee", 20)
        _change(by_mentee, "cancelled", "mentee", 5)
        _change(by_mentor, "cancelled", "mentor", 100)
        _change(last, "rescheduled", "mentee", 3)
        _change(middle, "rescheduled", "mentor", 72)
        _change(middle, "rescheduled", "manager", 1)  # neither of the pair
        _reflect(first, dan.mentor, 5, learned=SECRETS[2])
        _reflect(first, dan.mentee, 4, taught=SECRETS[3])
        _reflect(last, dan.mentee, 4)
        Goal.objects.create(organization=acme, pair=dan, title=SECRETS[5], status="done")
        Goal.objects.create(organization=acme, pair=dan, title="Another goal")
        for theme, status in (("tool", "open"), ("tool", "open"), ("habit", "done")):
            Commitment.objects.create(
                organization=acme,
                pair=dan,
                participant=dan.mentee,
                session=first,
                text=SECRETS[4],
                theme=theme,
                status=status,
            )
        for visibility, author in (("private", dan.mentor), ("shared", dan.mentee)):
            with tenant_context(organization=acme, user=users[author.pk]):
                Note.objects.create(
                    organization=acme,
                    session=last,
                    author=author,
                    author_user=users[author.pk],
                    visibility=visibility,
                    text=SECRETS[0] if visibility == "private" else SECRETS[1],
                )

        _session(eve, 20)
        Commitment.objects.create(
            organization=acme, pair=eve, participant=eve.mentee, text="x", theme="tool",
            status="done",
        )  # fmt: skip

        quiet = _extra_pair(acme, published["run"], 1)
        _session(quiet, 90, agenda=SECRETS[6])
    return {"dan": dan, "eve": eve, "quiet": quiet, "last": last}


def _url(world, suffix="pairs/"):
    return f"/o/acme/programs/{world['program'].pk}/{suffix}"


def _row(html, name):
    """The table row that names ``name``."""
    (row,) = [r for r in re.findall(r"<tr>.*?</tr>", html, re.S) if name in r]
    return re.sub(r"\s+", " ", row)


def test_the_pair_list_shows_each_pairs_rhythm_ratings_and_reliability(
    client, world_manager, world, history
):
    client.force_login(world_manager)
    response = client.get(_url(world))

    assert response.status_code == 200
    html = response.content.decode()
    dan = _row(html, "Dan Senior")
    assert "3 of 6" in dan
    assert date_format(timezone.localtime(history["last"].starts_at, UTC), "j M Y") in dan
    assert "4.3 / 5" in dan and "(3 ratings)" in dan
    assert "On track" in dan
    assert "1 of 2" in dan
    assert "Mentor: 1 of 5 cancelled or moved late" in dan
    assert "Mentee: 2 of 5 cancelled or moved late" in dan
    eve = _row(html, "Eve Senior")
    assert "1 of 6" in eve and "Behind" in eve and "No goals yet" in eve
    assert "Mentor: 0 of 1 cancelled or moved late" in eve
    assert "Gone quiet" in _row(html, "Extra Mentee 1")
    assert response.context["cadence_counts"] == [
        ("on_track", "On track", 1),
        ("behind", "Behind", 1),
        ("quiet", "Gone quiet", 1),
    ]


def test_a_pair_published_before_its_cohort_starts_is_counted_from_the_cohorts_start(
    client, acme, world_manager, world, published
):
    """Published 100 days ago into a cohort that began 10 days ago, nothing held yet:
    counted from publishing it would have gone quiet long ago; counted, as the reminders
    and the reports count it, from the cohort's start, it is on track."""
    with tenant_context(organization=acme):
        Cohort.objects.filter(pk=world["cohort"].pk).update(start_date=_days_ago(10).date())
    client.force_login(world_manager)

    html = client.get(_url(world)).content.decode()

    assert "On track" in _row(html, "Dan Senior")
    rows = {
        r["mentee"]: r
        for r in csv.DictReader(
            io.StringIO(client.get(_url(world, "pairs.csv")).content.decode("utf-8-sig"))
        )
    }
    assert rows["Dan Senior"]["cadence"] == "on_track"
    assert rows["Dan Senior"]["paired_on"] == _days_ago(10).date().isoformat()
    with tenant_context(organization=acme):
        assert reminders.quiet_pairs(acme, timezone.now()) == []
    # Had the cohort begun 70 days ago, with still no session: gone quiet by both counts.
    with tenant_context(organization=acme):
        Cohort.objects.filter(pk=world["cohort"].pk).update(start_date=_days_ago(70).date())
        quiet = {q.pair.pk for q in reminders.quiet_pairs(acme, timezone.now())}
    html = client.get(_url(world)).content.decode()
    assert quiet == {published["dan"].pk, published["eve"].pk}
    assert "Gone quiet" in _row(html, "Dan Senior") and "Gone quiet" in _row(html, "Eve Senior")


def _reliability(response) -> dict[str, tuple[int, int, int | None]]:
    return {r.role: (r.count, r.sessions, r.percent) for r in response.context["reliability"]}


def test_the_list_sums_up_each_roles_cancellations_and_late_moves(
    client, acme, world_manager, world, published, history
):
    """Hand-worked from ``history``: 7 sessions in the Pilot (Dan's pair 5, Eve's 1, the
    quiet pair 1); the mentor cancelled one (Dan's, with 100 hours' notice: a cancellation
    counts however early), the mentee cancelled one and moved another with 3 hours'
    notice. A second cohort's pair: 2 sessions, one the mentee moved with 10 hours'
    notice, the other the mentor moved with 2 days' (not late)."""
    with tenant_context(organization=acme):
        wave = Cohort.objects.create(
            organization=acme, program=world["program"], name="Wave 2",
            start_date=_days_ago(30).date(), end_date=_days_ago(-100).date(),
        )  # fmt: skip
        other = _extra_pair(acme, published["run"], 2, days_ago=30)
        Pair.objects.filter(pk=other.pk).update(cohort=wave)
        Participant.objects.filter(pk__in=[other.mentor_id, other.mentee_id]).update(cohort=wave)
        _change(_session(other, 5), "rescheduled", "mentee", 10)
        _change(_session(other, 15), "rescheduled", "mentor", 48)
    client.force_login(world_manager)

    everyone = client.get(_url(world))
    pilot = client.get(_url(world), {"cohort": world["cohort"].pk})

    assert _reliability(everyone) == {"mentor": (1, 9, 11), "mentee": (3, 9, 33)}
    assert _reliability(pilot) == {"mentor": (1, 7, 14), "mentee": (2, 7, 29)}
    summary = re.sub(r"\s+", " ", pilot.content.decode().split('id="reliability-heading"')[1])
    summary = summary.split("</section>")[0]
    assert "Pilot" in summary
    assert "Mentor</dt><dd>14% · 1 of 7 sessions cancelled or moved late" in summary
    assert "Mentee</dt><dd>29% · 2 of 7 sessions cancelled or moved late" in summary

    export = client.get(_url(world, "reliability.csv"), {"cohort": world["cohort"].pk})
    assert export["Content-Type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")))) == [
        ["role", "sessions", "cancelled_or_moved_late", "share_percent"],
        ["mentor", "7", "1", "14"],
        ["mentee", "7", "2", "29"],
    ]
    whole = client.get(_url(world, "reliability.csv")).content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(whole)))[1:] == [
        ["mentor", "9", "1", "11"],
        ["mentee", "9", "3", "33"],
    ]


def test_a_program_without_sessions_has_no_reliability_to_show(
    client, world_manager, world, published
):
    client.force_login(world_manager)

    response = client.get(_url(world))
    export = client.get(_url(world, "reliability.csv")).content.decode("utf-8-sig")

    assert _reliability(response) == {"mentor": (0, 0, None), "mentee": (0, 0, None)}
    assert list(csv.reader(io.StringIO(export)))[1:] == [
        ["mentor", "0", "0", ""],
        ["mentee", "0", "0", ""],
    ]


def test_the_list_filters_by_cadence_status_and_cohort(client, acme, world_manager, world, history):
    client.force_login(world_manager)

    quiet = client.get(_url(world), {"cadence": "quiet"})
    other_cohort = client.get(_url(world), {"cohort": world["cohort"].pk, "cadence": "behind"})

    assert [r.mentee_name for r in quiet.context["page"].object_list] == ["Extra Mentee 1"]
    assert [r.mentee_name for r in other_cohort.context["page"].object_list] == ["Eve Senior"]
    # The counts above the table still count every status of the chosen cohort.
    assert [n for _s, _l, n in quiet.context["cadence_counts"]] == [1, 1, 1]


def test_commitments_are_counted_by_theme_and_status(client, world_manager, world, history):
    client.force_login(world_manager)

    commitments = client.get(_url(world)).context["commitments"]

    assert commitments["statuses"] == ["Open", "Done", "Dropped"]
    assert commitments["themes"] == [
        ("A tool to adopt", [2, 1, 0], 3),
        ("A habit", [0, 1, 0], 1),
        ("A policy or practice to revisit", [0, 0, 0], 0),
        ("Something else", [0, 0, 0], 0),
    ]
    assert commitments["totals"] == [2, 2, 0] and commitments["total"] == 4


def test_the_export_has_the_same_rows_and_no_text(client, world_manager, world, history):
    client.force_login(world_manager)

    response = client.get(_url(world, "pairs.csv"))

    assert response["Content-Type"].startswith("text/csv")
    rows = {
        r["mentee"]: r for r in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    }
    assert set(rows) == {"Dan Senior", "Eve Senior", "Extra Mentee 1"}
    dan = rows["Dan Senior"]
    assert (dan["sessions_held"], dan["sessions_planned"], dan["sessions"]) == ("3", "6", "5")
    assert (dan["average_rating"], dan["ratings"], dan["cadence"]) == ("4.3", "3", "on_track")
    assert (dan["goals_done"], dan["goals_total"]) == ("1", "2")
    assert (dan["mentor_cancelled_or_moved_late"], dan["mentee_cancelled_or_moved_late"]) == (
        "1",
        "2",
    )
    assert (
        dan["last_held_on"] == timezone.localtime(history["last"].starts_at, UTC).date().isoformat()
    )
    assert rows["Extra Mentee 1"]["cadence"] == "quiet"
    filtered = client.get(_url(world, "pairs.csv"), {"cadence": "behind"}).content.decode(
        "utf-8-sig"
    )
    assert [r["mentee"] for r in csv.DictReader(io.StringIO(filtered))] == ["Eve Senior"]


def test_no_note_reflection_or_commitment_text_reaches_the_manager(
    client, acme, world_manager, world, history
):
    admin = MembershipFactory(organization=acme, is_admin=True, is_participant=False).user
    for user in (world_manager, admin):
        client.force_login(user)
        page = client.get(_url(world)).content.decode()
        export = client.get(_url(world, "pairs.csv")).content.decode("utf-8-sig")
        for secret in SECRETS:
            assert secret not in page
            assert secret not in export


def test_an_ended_pair_is_listed_and_a_dropped_one_is_not(
    client, acme, world_manager, world, history
):
    with tenant_context(organization=acme):
        Pair.objects.filter(pk=history["eve"].pk).update(
            status=Pair.Status.ENDED, ended_at=_days_ago(1)
        )
        Pair.objects.filter(pk=history["quiet"].pk).update(status=Pair.Status.DROPPED)
    client.force_login(world_manager)

    html = client.get(_url(world)).content.decode()

    assert "ended" in _row(html, "Eve Senior")
    assert "Extra Mentee 1" not in html


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_takes_the_same_number_of_queries_for_2_or_6_pairs(
    client, acme, world_manager, world, published
):
    client.force_login(world_manager)
    with tenant_context(organization=acme):
        users = {
            p.pk: UserFactory(email=f"u{p.pk}@acme.example")
            for pair in (published["dan"], published["eve"])
            for p in (pair.mentor, pair.mentee)
        }
        for pair in (published["dan"], published["eve"]):
            _busy(pair, users)
    client.get(_url(world))  # the first request of a sign-in writes its session
    two = (_queries(client, _url(world)), _queries(client, _url(world, "pairs.csv")))

    with tenant_context(organization=acme):
        for n in range(1, 5):
            pair = _extra_pair(acme, published["run"], n)
            users[pair.mentor_id] = UserFactory(email=f"m{n}@acme.example")
            _busy(pair, users)
    six = (_queries(client, _url(world)), _queries(client, _url(world, "pairs.csv")))

    assert client.get(_url(world)).context["pair_count"] == 6
    assert six == two


# Support circles.


def test_a_manager_adds_a_circle_in_the_organisations_time_zone(client, acme, world_manager, world):
    acme.time_zone = "Europe/Berlin"
    acme.save()
    client.force_login(world_manager)

    response = client.post(
        _url(world, "circles/"),
        {
            "title": "Mentors' circle",
            "date": "2027-03-02",
            "time": "18:30",
            "duration_minutes": "60",
            "location": "https://meet.example/circle",
        },
        follow=True,
    )

    assert "Support circle “Mentors&#x27; circle” added." in response.content.decode()
    with tenant_context(organization=acme):
        circle = SupportCircle.objects.get()
    assert circle.starts_at == datetime(2027, 3, 2, 18, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    assert (circle.program_id, circle.duration_minutes) == (world["program"].pk, 60)
    assert circle.location == "https://meet.example/circle"
    assert "Mentors&#x27; circle" in client.get(_url(world, "circles/")).content.decode()


def test_a_circle_without_a_title_is_refused(client, acme, world_manager, world):
    client.force_login(world_manager)

    response = client.post(
        _url(world, "circles/"), {"date": "2027-03-02", "time": "18:30", "duration_minutes": "60"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["title"]
    with tenant_context(organization=acme):
        assert not SupportCircle.objects.exists()


@pytest.fixture
def circle(acme, world):
    with tenant_context(organization=acme):
        Participant.objects.create(
            organization=acme,
            program=world["program"],
            cohort=world["cohort"],
            employee=Employee.objects.create(
                organization=acme, employee_number="G", name="Gus Withdrawn", email="g@x.example"
            ),
            role="mentor",
            status=Participant.Status.WITHDRAWN,
        )
        return SupportCircle.objects.create(
            organization=acme, program=world["program"], title="March circle",
            starts_at=_days_ago(2),
        )  # fmt: skip


def test_the_circle_lists_the_programs_mentors_only(client, world_manager, world, circle):
    client.force_login(world_manager)

    response = client.get(_url(world, f"circles/{circle.pk}/"))

    listed = [mentor.employee.name for mentor, _came, _n in response.context["people"]]
    assert listed == ["Ann Junior", "Bea Junior", "Cy Junior"]
    html = response.content.decode()
    for name in ("Dan Senior", "Eve Senior", "Gus Withdrawn"):
        assert name not in html


def test_attendance_is_saved_and_counted(client, acme, world_manager, world, circle):
    client.force_login(world_manager)
    url = _url(world, f"circles/{circle.pk}/")

    client.post(url, {"attended": [world["Ann"].pk, world["Cy"].pk]})
    response = client.post(url, {"attended": [world["Ann"].pk]}, follow=True)

    assert "Attendance saved: 1 mentor came." in response.content.decode()
    with tenant_context(organization=acme):
        rows = dict(
            CircleAttendance.objects.filter(circle=circle).values_list(
                "participant__employee__name", "attended"
            )
        )
    assert rows == {"Ann Junior": True, "Bea Junior": False, "Cy Junior": False}
    assert response.context["attended_count"] == 1
    people = {m.employee.name: (came, n) for m, came, n in response.context["people"]}
    assert people["Ann Junior"] == (True, 1) and people["Cy Junior"] == (False, 0)
    listing = client.get(_url(world, "circles/"))
    assert [c.attended for c in listing.context["past"]] == [1]


def test_a_mentee_cannot_be_marked_as_attending(client, acme, world_manager, world, circle):
    client.force_login(world_manager)

    response = client.post(
        _url(world, f"circles/{circle.pk}/"),
        {"attended": [world["Ann"].pk, world["Dan"].pk]},
        follow=True,
    )

    assert "for the program&#x27;s mentors only" in response.content.decode()
    with tenant_context(organization=acme):
        assert not CircleAttendance.objects.exists()


def test_attendance_waits_for_the_circle_to_start(acme, world):
    with tenant_context(organization=acme):
        later = SupportCircle.objects.create(
            organization=acme, program=world["program"], title="Later",
            starts_at=timezone.now() + timedelta(days=3),
        )  # fmt: skip
        with pytest.raises(circles.ValidationError):
            circles.circle_attendance_save(circle=later, attended_ids=[world["Ann"].pk])
        assert not CircleAttendance.objects.exists()


# Who may see any of it.


@pytest.mark.parametrize(
    "roles",
    [
        {"is_executive": True, "is_participant": False},
        {"is_participant": True},
    ],
    ids=["executive", "participant"],
)
def test_executives_and_participants_are_refused(client, acme, world, circle, roles):
    client.force_login(MembershipFactory(organization=acme, **roles).user)
    for suffix in ("pairs/", "pairs.csv", "circles/", f"circles/{circle.pk}/"):
        assert client.get(_url(world, suffix)).status_code == 403
    assert client.post(_url(world, "circles/"), {"title": "Mine"}).status_code == 403
    attend = client.post(_url(world, f"circles/{circle.pk}/"), {"attended": [world["Ann"].pk]})
    assert attend.status_code == 403
    with tenant_context(organization=acme):
        assert SupportCircle.objects.count() == 1
        assert not CircleAttendance.objects.exists()


def test_another_organisations_program_or_member_gets_404(
    client, acme, globex, acme_admin, globex_admin, world, circle
):
    with tenant_context(organization=globex):
        theirs = Program.objects.create(
            organization=globex, name="Theirs", start_date=world["program"].start_date,
            end_date=world["program"].end_date,
        )  # fmt: skip
    client.force_login(acme_admin)
    for suffix in ("pairs/", "pairs.csv", "circles/"):
        assert client.get(f"/o/acme/programs/{theirs.pk}/{suffix}").status_code == 404
    client.force_login(globex_admin)
    for suffix in ("pairs/", "pairs.csv", "circles/", f"circles/{circle.pk}/"):
        assert client.get(_url(world, suffix)).status_code == 404
        assert client.get(f"/o/globex/programs/{world['program'].pk}/{suffix}").status_code == 404


def test_the_program_page_links_to_pairs_and_circles(client, world_manager, world):
    client.force_login(world_manager)

    html = client.get(f"/o/acme/programs/{world['program'].pk}/").content.decode()

    assert f'href="{_url(world)}"' in html
    assert f'href="{_url(world, "circles/")}"' in html


def test_approved_mentors_see_the_programs_upcoming_circles(client, acme, world):
    from datetime import timedelta

    from django.utils import timezone

    from sessions.models import SupportCircle

    with tenant_context(organization=acme):
        SupportCircle.objects.create(
            organization=acme,
            program=world["program"],
            title="Mentors compare notes",
            starts_at=timezone.now() + timedelta(days=4),
        )
    for name, expected in (("ann", True), ("dan", False)):
        user = UserFactory(email=f"{name}@acme.example")
        MembershipFactory(organization=acme, user=user)
        client.force_login(user)
        participant = world[name.title()]
        page = client.get(f"/o/acme/programs/mine/{participant.pk}/").content.decode()
        assert ("Mentors compare notes" in page) is expected, name


# Changing and cancelling support circles (program managers only).


def _circle_data(**changes):
    data = {
        "title": "April circle: feedback upward",
        "date": "2027-04-06",
        "time": "17:00",
        "duration_minutes": "60",
        "location": "Room 4",
    }
    return {**data, **changes}


def test_a_manager_changes_a_circles_topic_time_and_place(client, acme, world_manager, world):
    acme.time_zone = "Europe/Berlin"
    acme.save()
    with tenant_context(organization=acme):
        circle = SupportCircle.objects.create(
            organization=acme, program=world["program"], title="April circle",
            starts_at=datetime(2027, 4, 6, 16, 0, tzinfo=UTC), location="Room 1",
        )  # fmt: skip
    client.force_login(world_manager)
    url = _url(world, f"circles/{circle.pk}/edit/")

    detail = client.get(_url(world, f"circles/{circle.pk}/")).content.decode()
    form = client.get(url).context["form"]
    response = client.post(url, _circle_data(location="https://meet.example/c"), follow=True)

    assert f'href="{url}"' in detail
    assert (form["title"].value(), str(form["time"].value())) == ("April circle", "18:00:00")
    assert "Support circle “April circle: feedback upward” saved." in response.content.decode()
    with tenant_context(organization=acme):
        circle.refresh_from_db()
    assert circle.title == "April circle: feedback upward"
    assert circle.starts_at == datetime(2027, 4, 6, 17, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert (circle.duration_minutes, circle.location) == (60, "https://meet.example/c")


def test_a_circle_change_with_bad_input_changes_nothing(client, acme, world_manager, world, circle):
    client.force_login(world_manager)
    url = _url(world, f"circles/{circle.pk}/edit/")
    with tenant_context(organization=acme):
        CircleAttendance.objects.create(
            organization=acme, circle=circle, participant=world["Ann"], attended=True
        )

    untitled = client.post(url, _circle_data(title=" "))
    too_long = client.post(url, _circle_data(duration_minutes="500"))
    # Attendance was taken: the circle cannot move to a time still to come.
    to_come = client.post(
        url, _circle_data(date=(timezone.localdate() + timedelta(days=30)).isoformat())
    )

    assert untitled.context["form"].errors["title"]
    assert too_long.context["form"].errors["duration_minutes"]
    assert (
        "Attendance has been taken for this circle: it cannot move to a time to come."
        in to_come.content.decode()
    )
    with tenant_context(organization=acme):
        circle.refresh_from_db()
    assert (circle.title, circle.duration_minutes) == ("March circle", 45)
    assert circle.starts_at < timezone.now()


def test_cancelling_a_circle_asks_first_then_removes_it(client, acme, world_manager, world):
    with tenant_context(organization=acme):
        circle = SupportCircle.objects.create(
            organization=acme, program=world["program"], title="May circle",
            starts_at=timezone.now() + timedelta(days=10),
        )  # fmt: skip
    client.force_login(world_manager)
    url = _url(world, f"circles/{circle.pk}/delete/")

    detail = client.get(_url(world, f"circles/{circle.pk}/")).content.decode()
    asked = client.get(url).content.decode()
    with tenant_context(organization=acme):
        still_there = SupportCircle.objects.filter(pk=circle.pk).exists()
    response = client.post(url, follow=True)

    assert f'href="{url}"' in detail and "Cancel…" in detail
    assert still_there
    assert "Cancel “May circle”?" in asked and "Cancel the circle" in asked
    assert response.redirect_chain[-1][0] == _url(world, "circles/")
    assert "Support circle “May circle” cancelled." in response.content.decode()
    with tenant_context(organization=acme):
        assert not SupportCircle.objects.exists()


def test_removing_a_held_circle_says_how_much_attendance_goes_with_it(
    client, acme, world_manager, world, circle
):
    client.force_login(world_manager)
    with tenant_context(organization=acme):
        circles.circle_attendance_save(circle=circle, attended_ids=[world["Ann"].pk])
    url = _url(world, f"circles/{circle.pk}/delete/")

    asked = client.get(url).content.decode()
    response = client.post(url, follow=True)

    assert "Remove “March circle”?" in asked
    assert "with its attendance: 1 mentor recorded as coming no longer counts." in asked
    assert "Support circle “March circle” removed." in response.content.decode()
    with tenant_context(organization=acme):
        assert not SupportCircle.objects.exists()
        assert not CircleAttendance.objects.exists()


def test_a_closed_programs_circles_stay_as_they_were(client, acme, world_manager, world, circle):
    with tenant_context(organization=acme):
        Program.objects.filter(pk=world["program"].pk).update(status=Program.Status.CLOSED)
    client.force_login(world_manager)

    changed = client.post(_url(world, f"circles/{circle.pk}/edit/"), _circle_data())
    removed = client.post(_url(world, f"circles/{circle.pk}/delete/"), follow=True)

    assert "The program is closed." in changed.content.decode()
    assert "The program is closed." in removed.content.decode()
    with tenant_context(organization=acme):
        circle.refresh_from_db()
    assert circle.title == "March circle"


@pytest.mark.parametrize(
    "roles",
    [
        {"is_executive": True, "is_participant": False},
        {"is_participant": True},
    ],
    ids=["executive", "participant"],
)
def test_only_program_managers_change_or_cancel_circles(client, acme, world, circle, roles):
    client.force_login(MembershipFactory(organization=acme, **roles).user)
    edit, delete = (_url(world, f"circles/{circle.pk}/{a}/") for a in ("edit", "delete"))

    answers = [
        client.get(edit).status_code,
        client.post(edit, _circle_data()).status_code,
        client.get(delete).status_code,
        client.post(delete).status_code,
    ]

    assert answers == [403, 403, 403, 403]
    with tenant_context(organization=acme):
        circle.refresh_from_db()
    assert circle.title == "March circle"


def test_another_programs_circle_is_not_found_under_this_program(
    client, acme, world_manager, world, circle
):
    with tenant_context(organization=acme):
        other = Program.objects.create(
            organization=acme, name="Other", start_date=world["program"].start_date,
            end_date=world["program"].end_date,
        )  # fmt: skip
    client.force_login(world_manager)

    for action in ("edit", "delete"):
        url = f"/o/acme/programs/{other.pk}/circles/{circle.pk}/{action}/"
        assert client.get(url).status_code == 404
        assert client.post(url, _circle_data()).status_code == 404
    with tenant_context(organization=acme):
        assert SupportCircle.objects.filter(pk=circle.pk, title="March circle").exists()
