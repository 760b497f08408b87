"""The organisation's home page: what each member sees there, by their permissions.

Built with factories (the demo organisations' version is test_overview_demo.py): a program
manager sees each running program's real counts, a participant their partner and next
session in their own time zone, an executive the headline figures with small groups
hidden, an admin the member counts; and nobody sees anything of another organisation.
"""

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse as url
from django.utils import timezone
from django.utils.dateformat import format as date_format

from directory.models import DirectoryImport, Employee
from home.overview import PROGRAMS_SHOWN
from matching.models import MatchRun, Pair
from organizations.models import Invitation
from organizations.tenancy import tenant_context
from programs.models import (
    Audience,
    Cohort,
    Participant,
    Program,
    ProgramManager,
    TrainingCompletion,
    TrainingModule,
)
from reports.models import Snapshot
from reports.publication import publish_day
from sessions.models import MentoringSession
from surveys.models import Assignment, Schedule, Survey
from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory
from tests.organizations.helpers import PM_MAX_QUERIES

pytestmark = pytest.mark.django_db


# --- Builders ---------------------------------------------------------------------------


def _days_ago(days: float):
    return timezone.now() - timedelta(days=days)


def _running(program: Program, cohort: Cohort, *, days: int = 120) -> None:
    """Move a program and its cohort into the past: active for ``days`` so far."""
    today = timezone.localdate()
    Program.objects.filter(pk=program.pk).update(
        status=Program.Status.ACTIVE,
        start_date=today - timedelta(days=days),
        end_date=today + timedelta(days=200),
    )
    Cohort.objects.filter(pk=cohort.pk).update(
        start_date=today - timedelta(days=days), end_date=today + timedelta(days=100)
    )


def _program(org, name, *, status=Program.Status.ACTIVE) -> tuple[Program, Cohort]:
    today = timezone.localdate()
    program = Program.objects.create(
        organization=org,
        name=name,
        start_date=today - timedelta(days=120),
        end_date=today + timedelta(days=200),
        status=status,
    )
    cohort = Cohort.objects.create(
        organization=org,
        program=program,
        name=f"{name} pilot",
        start_date=today - timedelta(days=120),
        end_date=today + timedelta(days=100),
    )
    return program, cohort


def _person(org, cohort, role, name, *, status=Participant.Status.APPROVED) -> Participant:
    key = re.sub(r"\W", "", name).lower()
    employee = Employee.objects.create(
        organization=org, employee_number=key, name=name, email=f"{key}@{org.slug}.example"
    )
    return Participant.objects.create(
        organization=org,
        program=cohort.program,
        cohort=cohort,
        employee=employee,
        role=role,
        status=status,
    )


def _run(cohort) -> MatchRun:
    return MatchRun.objects.create(
        organization=cohort.organization, cohort=cohort, status=MatchRun.Status.PUBLISHED
    )


def _pair(run, mentor, mentee, *, days_ago=100, status=Pair.Status.ACTIVE) -> Pair:
    return Pair.objects.create(
        organization=run.organization,
        run=run,
        program=run.cohort.program,
        cohort=run.cohort,
        mentor=mentor,
        mentee=mentee,
        status=status,
        score=1.0,
        explanation="",
        published_at=_days_ago(days_ago),
    )


def _session(pair, starts_at, status=MentoringSession.Status.HELD) -> MentoringSession:
    return MentoringSession.objects.create(
        organization=pair.organization, pair=pair, starts_at=starts_at, status=status
    )


def _user(org, email=None, **roles):
    roles.setdefault("is_participant", False)
    user = UserFactory(email=email) if email else UserFactory()
    return MembershipFactory(organization=org, user=user, **roles).user


def _manager_of(org, *programs: Program):
    """A program manager of ``programs``: they reach only the programs they manage."""
    user = _user(org, is_program_manager=True)
    with tenant_context(organization=org):
        membership = user.memberships.get()
        for program in programs:
            ProgramManager.objects.create(organization=org, program=program, membership=membership)
    return user


def _page(client, user, slug="acme") -> str:
    client.force_login(user)
    response = client.get(f"/o/{slug}/")
    assert response.status_code == 200
    return response.content.decode()


def _block(html: str, marker: str) -> str:
    """The HTML of the card (an <article>) carrying ``marker``, e.g. data-program="3"."""
    assert marker in html, f"no {marker} on the page"
    return html.split(marker, 1)[1].split("</article>", 1)[0]


def _count(html: str, program: Program, name: str) -> int:
    card = _block(html, f'data-program="{program.pk}"')
    return int(re.search(rf'data-count="{name}"><span class="count">(\d+)</span>', card)[1])


# --- Program managers -------------------------------------------------------------------


@pytest.fixture
def reverse(acme, world):
    """The world's program, running for 120 days, its pairs in every state of cadence:
    Ann and Dan gone quiet (nothing held since pairing 100 days ago), Bea and Eve on track
    (a session a month), Cy and Fay behind (one session, ten days ago); an ended pair; a
    second cohort with two applications waiting and one person only invited."""
    program, cohort = world["program"], world["cohort"]
    with tenant_context(organization=acme):
        _running(program, cohort)
        run = _run(cohort)
        fay = _person(acme, cohort, "mentee", "Fay Senior")
        quiet = _pair(run, world["Ann"], world["Dan"])
        on_track = _pair(run, world["Bea"], world["Eve"])
        behind = _pair(run, world["Cy"], fay)
        for days in (90, 60, 30):
            _session(on_track, _days_ago(days))
        _session(behind, _days_ago(10))
        _pair(
            run,
            _person(acme, cohort, "mentor", "Gil Junior"),
            _person(acme, cohort, "mentee", "Hal Senior"),
            status=Pair.Status.ENDED,
        )
        wave = Cohort.objects.create(
            organization=acme,
            program=program,
            name="Wave 2",
            start_date=timezone.localdate() + timedelta(days=10),
            end_date=timezone.localdate() + timedelta(days=150),
        )
        for name in ("Ida Applied", "Jon Applied"):
            _person(acme, wave, "mentor", name, status=Participant.Status.APPLIED)
        _person(acme, wave, "mentee", "Kim Invited", status=Participant.Status.INVITED)
    return {"program": program, "wave": wave, "quiet": quiet, "behind": behind}


def test_program_manager_sees_their_programs_real_counts(client, acme, reverse):
    manager = _manager_of(acme, reverse["program"])

    html = _page(client, manager)

    program = reverse["program"]
    assert "Your programs" in html and program.name in html
    assert _count(html, program, "waiting") == 2  # applied, not the one only invited
    assert _count(html, program, "active") == 3  # the ended pair is not active
    assert _count(html, program, "behind") == 1
    assert _count(html, program, "quiet") == 1
    card = _block(html, f'data-program="{program.pk}"')
    assert "Pilot" in card and "Wave 2" in card


def test_program_cards_link_to_the_program_its_queue_and_its_pairs(client, acme, reverse):
    program = reverse["program"]
    manager = _manager_of(acme, program)

    card = _block(_page(client, manager), f'data-program="{program.pk}"')

    pairs = url("mentoring_manager:pairs", args=["acme", program.pk])
    assert f'href="{url("programs:detail", args=["acme", program.pk])}"' in card
    assert f'href="{pairs}"' in card
    assert f'href="{pairs}?cadence=behind"' in card
    assert f'href="{pairs}?cadence=quiet"' in card
    queue = url("programs:cohort", args=["acme", program.pk, reverse["wave"].pk])
    assert f'href="{queue}#queue-heading"' in card


def test_closed_programs_are_left_out_and_managed_ones_come_first(client, acme, reverse):
    # An admin sees every program, the ones they manage first.
    manager = _user(acme, is_program_manager=True, is_admin=True)
    with tenant_context(organization=acme):
        closed, _ = _program(acme, "Closed long ago", status=Program.Status.CLOSED)
        draft, _ = _program(acme, "Draft for next year", status=Program.Status.DRAFT)
        membership = manager.memberships.get()
        ProgramManager.objects.create(organization=acme, program=draft, membership=membership)

    html = _page(client, manager)

    assert closed.name not in html
    assert html.index(draft.name) < html.index(reverse["program"].name)
    assert "You manage it" in _block(html, f'data-program="{draft.pk}"')
    assert "You manage it" not in _block(html, f'data-program="{reverse["program"].pk}"')


@pytest.mark.parametrize("pairs_per_program", [1, 4])
def test_overview_reads_a_bounded_number_of_queries_for_several_programs(
    client, acme, django_assert_max_num_queries, pairs_per_program
):
    """Three running programs, each with two cohorts, waiting applications and pairs
    with sessions: the same ceiling whatever the number of pairs and people."""
    manager = _user(acme, is_program_manager=True, is_admin=True, is_executive=True)
    programs = []
    with tenant_context(organization=acme):
        for n in range(3):
            program, cohort = _program(acme, f"Program {n}")
            wave = Cohort.objects.create(
                organization=acme,
                program=program,
                name="Wave 2",
                start_date=cohort.start_date,
                end_date=cohort.end_date,
            )
            run = _run(cohort)
            for i in range(pairs_per_program):
                pair = _pair(
                    run,
                    _person(acme, cohort, "mentor", f"Mentor {n} {i}"),
                    _person(acme, cohort, "mentee", f"Mentee {n} {i}"),
                )
                _session(pair, _days_ago(20))
                _person(acme, wave, "mentor", f"Waiting {n} {i}", status="applied")
            programs.append(program)
    client.force_login(manager)

    with django_assert_max_num_queries(PM_MAX_QUERIES):
        html = client.get("/o/acme/").content.decode()

    for program in programs:
        assert _count(html, program, "active") == pairs_per_program
        assert _count(html, program, "waiting") == pairs_per_program


def test_a_long_list_of_programs_stops_at_a_few_and_links_to_them_all(
    client, acme, django_assert_max_num_queries
):
    with tenant_context(organization=acme):
        programs = [_program(acme, f"Program {n:02}")[0] for n in range(PROGRAMS_SHOWN + 2)]
    manager = _manager_of(acme, *programs)
    client.force_login(manager)

    with django_assert_max_num_queries(PM_MAX_QUERIES):
        html = client.get("/o/acme/").content.decode()

    assert html.count("data-program=") == PROGRAMS_SHOWN
    assert f"All {PROGRAMS_SHOWN + 2} programs" in html


def test_a_manager_without_programs_is_offered_to_create_one(client, acme):
    manager = _user(acme, is_program_manager=True)

    html = _page(client, manager)

    assert "No programs running" in html
    assert f'href="{url("programs:new", args=["acme"])}"' in html
    assert "Create a program" in html


def test_people_who_cannot_manage_programs_see_no_program_section(client, acme, acme_mentor):
    html = _page(client, acme_mentor)

    assert "Your programs" not in html and "Create a program" not in html


# --- Participants -----------------------------------------------------------------------


@pytest.fixture
def ann_and_dan(acme, world):
    """Ann (mentor, Europe/Berlin) paired with Dan 40 days ago in an organisation on UTC;
    both can sign in."""
    with tenant_context(organization=acme):
        _running(world["program"], world["cohort"])
        pair = _pair(_run(world["cohort"]), world["Ann"], world["Dan"], days_ago=40)
        _session(pair, _days_ago(30))
    ann = _user(acme, "ann@acme.example", is_participant=True)
    dan = _user(acme, "dan@acme.example", is_participant=True)
    return {"pair": pair, "ann": ann, "dan": dan, **world}


def test_mentor_sees_their_partner_and_next_session_in_their_own_time_zone(
    client, acme, ann_and_dan
):
    pair = ann_and_dan["pair"]
    soon = (timezone.now() + timedelta(days=6)).replace(hour=9, minute=0, second=0, microsecond=0)
    with tenant_context(organization=acme):
        _session(pair, soon - timedelta(days=2), status=MentoringSession.Status.CANCELLED)
        _session(pair, soon, status=MentoringSession.Status.SCHEDULED)
        _session(pair, soon + timedelta(days=30), status=MentoringSession.Status.SCHEDULED)

    card = _block(_page(client, ann_and_dan["ann"]), f'data-pair="{pair.pk}"')

    assert "With Dan Senior" in card
    berlin = date_format(timezone.localtime(soon, ZoneInfo("Europe/Berlin")), "D j M, H:i")
    utc = date_format(soon, "D j M, H:i")
    assert berlin != utc  # the organisation's zone (UTC) would read differently
    assert berlin in card and "Europe/Berlin" in card
    assert f'href="{url("mentoring:pair", args=["acme", pair.pk])}"' in card


def test_mentee_sees_their_mentor_and_that_nothing_is_booked(client, acme, ann_and_dan):
    card = _block(_page(client, ann_and_dan["dan"]), f'data-pair="{ann_and_dan["pair"].pk}"')

    assert "With Ann Junior" in card
    assert "None booked yet" in card
    book = url("mentoring:session_new", args=["acme", ann_and_dan["pair"].pk])
    assert re.search(rf'<a class="btn" href="{re.escape(book)}">Book a session</a>', card)


def test_a_pair_not_yet_published_is_not_shown_to_its_people(client, acme, world):
    with tenant_context(organization=acme):
        run = MatchRun.objects.create(organization=acme, cohort=world["cohort"])
        _pair(run, world["Ann"], world["Dan"], status=Pair.Status.PROPOSED)
    ann = _user(acme, "ann@acme.example", is_participant=True)

    html = _page(client, ann)

    assert "Dan Senior" not in html
    assert world["program"].name in _block(html, f'data-place="{world["Ann"].pk}"')
    assert "You will be told when you are matched" in html


def test_participant_sees_the_surveys_waiting_for_them_and_only_those(client, acme, world):
    with tenant_context(organization=acme):
        survey = Survey.objects.create(organization=acme, program=world["program"], title="Pulse")
        schedule = Schedule.objects.create(
            organization=acme, survey=survey, cohort=world["cohort"], anchor="cohort_start"
        )

        def assign(occasion, opens_days_ago, *, answered=False):
            opens = _days_ago(opens_days_ago)
            return Assignment.objects.create(
                organization=acme,
                schedule=schedule,
                participant=world["Ann"],
                occasion=occasion,
                opens_at=opens,
                closes_at=opens + timedelta(days=14),
                answered=answered,
            )

        waiting = assign("start", 1)
        answered = assign("session:1", 2, answered=True)
        closed = assign("session:2", 30)
        not_open = assign("session:3", -3)
    ann = _user(acme, "ann@acme.example", is_participant=True)

    card = _block(_page(client, ann), 'data-overview="surveys"')

    assert "A survey waits for you" in card
    assert f'href="{url("surveys_respond:answer", args=["acme", waiting.pk])}"' in card
    for other in (answered, closed, not_open):
        assert url("surveys_respond:answer", args=["acme", other.pk]) not in card


def test_participant_sees_the_required_training_they_have_not_done(client, acme, world):
    with tenant_context(organization=acme):

        def module(title, audience, required=True):
            return TrainingModule.objects.create(
                organization=acme,
                program=world["program"],
                title=title,
                audience=audience,
                required_before_matching=required,
            )

        module("Giving feedback upward", Audience.MENTORS)
        done = module("Ground rules", Audience.EVERYONE)
        module("Receiving feedback", Audience.MENTEES)
        module("Further reading", Audience.EVERYONE, required=False)
        TrainingCompletion.objects.create(organization=acme, participant=world["Ann"], module=done)
    ann = _user(acme, "ann@acme.example", is_participant=True)

    card = _block(_page(client, ann), 'data-overview="training"')

    assert "Giving feedback upward" in card
    for other in ("Ground rules", "Receiving feedback", "Further reading"):
        assert other not in card
    assert f'href="{url("home:participation", args=["acme", world["Ann"].pk])}"' in card


def test_a_participant_in_no_program_is_told_how_to_join(client, acme, acme_mentor):
    html = _page(client, acme_mentor)

    assert "Your mentoring" in html
    assert "You are not in a program yet" in html


def test_an_executive_who_is_also_a_mentee_sees_their_pair(client, acme, ann_and_dan):
    dan = ann_and_dan["dan"]
    with tenant_context(organization=acme):
        dan.memberships.update(is_participant=False, is_executive=True)

    html = _page(client, dan)

    assert "With Ann Junior" in html
    assert "Program results" in html


# --- Executives -------------------------------------------------------------------------


def _snapshot(org, day, scope="organization", **figures):
    """A day's figures and what they publish (as if first published that day)."""
    Snapshot.objects.create(
        organization=org,
        scope=scope,
        day=day,
        figures=figures,
        headline=figures,
        published=publish_day(figures, {}, threshold=5, day=day, breakdowns=False).measures,
        computed_at=timezone.now(),
    )


@pytest.fixture
def figures(acme):
    """Yesterday's figures: 12 active pairs, cadence kept by 8 of 10 (20 people), 30 of 60
    sessions held; satisfaction from 3 answers only, too few to show. An older snapshot
    and a program's own say otherwise: neither is the one to read."""
    yesterday = timezone.localdate() - timedelta(days=1)
    with tenant_context(organization=acme):
        _snapshot(
            acme,
            yesterday,
            pairs_active=12,
            pairs_started=12,
            cadence_judged=10,
            cadence_kept=8,
            sessions_held=30,
            sessions_planned=60,
            satisfaction_answers=3,
            satisfied=3,
        )
        _snapshot(acme, yesterday - timedelta(days=7), pairs_active=99)
        _snapshot(acme, yesterday, scope="program:1", pairs_active=77)
    return yesterday


def _tile(html: str, key: str) -> str:
    return _block(html, f'data-kpi="{key}"')


def test_executive_sees_the_latest_headline_figures(client, acme, figures):
    executive = _user(acme, is_executive=True)

    html = _page(client, executive)

    assert '<p class="kpi-value">12</p>' in _tile(html, "pairs_active")
    assert '<p class="kpi-value">80%</p>' in _tile(html, "cadence")
    assert '<p class="kpi-value">50%</p>' in _tile(html, "sessions")
    assert date_format(figures, "j F Y") in html
    assert f'href="{url("reports:dashboard", args=["acme"])}"' in html


def test_executive_never_sees_the_figure_of_a_small_group(client, acme, figures):
    executive = _user(acme, is_executive=True)

    satisfaction = _tile(_page(client, executive), "satisfaction")

    assert "data-suppressed" in satisfaction and "fewer than 5" in satisfaction
    assert "100%" not in satisfaction


def test_an_organisations_higher_threshold_hides_more(client, acme, figures):
    acme.survey_min_group = 25  # cadence rests on 20 people
    acme.save()
    executive = _user(acme, is_executive=True)

    cadence = _tile(_page(client, executive), "cadence")

    assert "fewer than 25" in cadence and "80%" not in cadence


def test_executive_without_figures_is_told_when_they_come(client, acme):
    executive = _user(acme, is_executive=True)

    html = _page(client, executive)

    assert "No figures yet" in html
    for other in ("Your programs", "Run the organisation", "Your mentoring", "data-kpi"):
        assert other not in html


def test_the_headline_figures_say_they_are_the_nightly_count_and_each_its_day(
    client, acme, figures
):
    executive = _user(acme, is_executive=True)

    html = _page(client, executive)

    day = date_format(figures, "j F Y")
    assert f"Figures as of {day}: the nightly count, to the end of that day." in html
    for key in ("pairs_active", "cadence", "sessions"):
        assert f"as of {date_format(figures, 'j M')}" in _tile(html, key), key
    assert "live counts" not in html  # an executive sees no live count to set them against


def test_todays_count_on_request_says_the_time_it_was_taken(client, acme):
    today = timezone.localdate()
    with tenant_context(organization=acme):
        _snapshot(acme, today, pairs_active=12, pairs_started=12)
        Snapshot.objects.update(computed_at=timezone.now().replace(hour=9, minute=41))
    executive = _user(acme, is_executive=True)

    html = _page(client, executive)

    assert f"Figures as of {date_format(today, 'j F Y')}, 09:41: counted on request" in html


def test_live_pair_counts_and_last_nights_figures_are_labelled_apart(
    client, acme, acme_admin, reverse
):
    """The admin's page once said "3 active pairs" and, lower, "Active pairs 0": the
    first counts the pairs now, the second is last night's snapshot. Each says so."""
    yesterday = timezone.localdate() - timedelta(days=1)
    with tenant_context(organization=acme):
        _snapshot(acme, yesterday, pairs_active=0)

    html = _page(client, acme_admin)

    assert _count(html, reverse["program"], "active") == 3
    assert "Counted live, as the pairs stand now" in html
    tile = _tile(html, "pairs_active")
    assert '<p class="kpi-value">0</p>' in tile
    assert f"as of {date_format(yesterday, 'j M')}" in tile
    results = html.split('id="exec-heading"', 1)[1]
    assert f"Figures as of {date_format(yesterday, 'j F Y')}: the nightly count" in results
    assert "can differ from the live counts under Your programs until the next count" in results


# --- Admins -----------------------------------------------------------------------------


@pytest.fixture
def organisation(acme, globex, acme_admin, acme_mentor):
    """Two active members and one deactivated; one open invitation, one expired, one
    accepted and one revoked; three people on the roster and one who left; an applied
    import. Globex has a member, an invitation and an employee of its own."""
    now = timezone.now()
    MembershipFactory(organization=acme, is_active=False)
    MembershipFactory(organization=globex)
    with tenant_context(organization=acme):
        for n, (expires, accepted, revoked) in enumerate(
            [
                (now + timedelta(days=3), None, None),
                (now - timedelta(days=1), None, None),
                (now + timedelta(days=3), now, None),
                (now + timedelta(days=3), None, now),
            ]
        ):
            Invitation.objects.create(
                organization=acme,
                email=f"invitee{n}@example.com",
                token_hash=f"acme-{n}",
                expires_at=expires,
                accepted_at=accepted,
                revoked_at=revoked,
            )
        for n in range(3):
            Employee.objects.create(organization=acme, employee_number=f"E{n}", name=f"E {n}")
        Employee.objects.create(
            organization=acme,
            employee_number="LEFT",
            name="Left",
            termination_date=date(2020, 1, 1),
        )
        record = DirectoryImport.objects.create(
            organization=acme,
            original_name="hr.csv",
            status=DirectoryImport.Status.APPLIED,
            finished_at=now,
            to_create=4,
            to_update=1,
        )
    with tenant_context(organization=globex):
        Invitation.objects.create(
            organization=globex,
            email="g@example.com",
            token_hash="globex-0",
            expires_at=now + timedelta(days=3),
        )
        Employee.objects.create(organization=globex, employee_number="G", name="G")
    return record


def _big_number(card: str) -> int:
    return int(re.search(r'<p class="count">(\d+)</p>', card)[1])


def test_admin_sees_member_invitation_and_directory_counts(client, acme, acme_admin, organisation):
    html = _page(client, acme_admin)

    members = _block(html, 'data-overview="members"')
    assert _big_number(members) == 2 and "1 deactivated" in members
    assert 'href="/o/acme/members/"' in members
    invitations = _block(html, 'data-overview="invitations"')
    assert _big_number(invitations) == 1 and "1 more expired" in invitations
    assert 'href="/o/acme/invitations/"' in invitations
    directory = _block(html, 'data-overview="directory"')
    assert _big_number(directory) == 3
    assert "applied, 4 new, 1 updated" in directory
    assert f'href="/o/acme/directory/import/{organisation.pk}/"' in directory


def test_admin_has_quick_links_to_settings_audit_log_and_api_keys(client, acme, acme_admin):
    html = _page(client, acme_admin)

    for path in ("settings", "audit", "api-keys"):
        assert f'href="/o/acme/{path}/"' in html


def test_program_manager_sees_invitations_and_directory_but_not_the_admins_part(
    client, acme, organisation
):
    manager = _user(acme, is_program_manager=True)

    html = _page(client, manager)

    assert 'data-overview="invitations"' in html and 'data-overview="directory"' in html
    assert 'data-overview="members"' not in html
    assert "Run the organisation" not in html
    assert "hr.csv" not in html and "/directory/import/" not in html
    for path in ("settings", "audit", "api-keys"):
        assert f'href="/o/acme/{path}/"' not in html


# --- Tenancy ----------------------------------------------------------------------------


def test_a_globex_member_sees_nothing_of_acme(client, acme, globex, reverse, figures, organisation):
    """A Globex member holding every role, whose email is also on Acme's roster and in
    an Acme pair, sees Globex's (empty) world only."""
    ann = _user(
        globex,
        "ann@acme.example",
        is_admin=True,
        is_program_manager=True,
        is_executive=True,
        is_participant=True,
    )

    html = _page(client, ann, slug="globex")

    assert reverse["program"].name not in html
    assert "Dan Senior" not in html and "Pilot" not in html
    assert "No programs running" in html
    assert "No figures yet" in html and "data-kpi" not in html
    assert "You are not in a program yet" in html
    assert _big_number(_block(html, 'data-overview="members"')) == 2
    assert _big_number(_block(html, 'data-overview="invitations"')) == 1
    assert _big_number(_block(html, 'data-overview="directory"')) == 1
    assert "No HR file imported here yet" in html
