"""The matching pages: the cohort's matching page as a program manager has it, what it
does with crafted input, and the partner's profile a person sees once published."""

import re
from datetime import date

import pytest

from directory.models import Employee
from matching import services
from matching.models import MatchRun, Pair
from organizations.tenancy import tenant_context
from programs.models import Cohort, Participant

pytestmark = pytest.mark.django_db


def _page_url(world) -> str:
    return f"/o/acme/programs/{world['program'].pk}/cohorts/{world['cohort'].pk}/matching/"


def _draft(acme, world) -> MatchRun:
    with tenant_context(organization=acme):
        return services.matching_run(cohort=world["cohort"], actor=None)


def _proposed(acme, run) -> set[tuple[str, str]]:
    with tenant_context(organization=acme):
        return set(
            Pair.objects.filter(run=run, status="proposed").values_list(
                "mentor__employee__name", "mentee__employee__name"
            )
        )


def test_the_page_title_is_the_cohort_in_plain_text(client, acme, world, program_manager):
    _draft(acme, world)  # Cy is left without a partner: the page lists him
    client.force_login(program_manager.user)

    page = client.get(_page_url(world)).content.decode()

    [title] = re.findall(r"<title>(.*?)</title>", page, flags=re.DOTALL)
    assert title == "Matching · Pilot · Acme · Upturn"
    assert "1 person without a partner" in page


def test_an_override_with_a_mentor_from_outside_the_cohort_is_refused_with_a_message(
    client, acme, world, program_manager
):
    run = _draft(acme, world)
    with tenant_context(organization=acme):
        wave = Cohort.objects.create(
            organization=acme, program=world["program"], name="Wave 2",
            start_date=date(2027, 3, 1), end_date=date(2027, 9, 30),
        )  # fmt: skip
        outsider = Participant.objects.create(
            organization=acme, program=world["program"], cohort=wave, role="mentor",
            status=Participant.Status.APPROVED, languages=["English"],
            employee=Employee.objects.create(
                organization=acme, employee_number="Z", name="Zed Junior", job_level=1
            ),
        )  # fmt: skip
    client.force_login(program_manager.user)
    change = _page_url(world) + f"runs/{run.pk}/override/"
    before = _proposed(acme, run)

    not_a_mentor = "Choose a mentor from this cohort."
    not_a_mentee = "Choose a mentee from this cohort."
    crafted = [
        ({"mentor": outsider.pk, "mentee": world["Dan"].pk}, not_a_mentor),  # another cohort
        ({"mentor": world["Eve"].pk, "mentee": world["Dan"].pk}, not_a_mentor),  # a mentee
        ({"mentor": world["Cy"].pk, "mentee": world["Ann"].pk}, not_a_mentee),  # a mentor
    ]
    for posted, message in crafted:
        for confirm in ("", "yes"):
            response = client.post(
                change,
                {"confirm": confirm, "reason": "x", **posted},
                follow=True,
            )
            assert response.status_code == 200
            assert message in response.content.decode()

    assert _proposed(acme, run) == before


def test_locked_pairs_a_rerun_cannot_keep_are_reported_on_the_page(
    client, acme, world, program_manager
):
    run = _draft(acme, world)
    with tenant_context(organization=acme):
        pair = Pair.objects.get(run=run, status="proposed", mentor=world["Ann"])
        services.pair_set_locked(pair=pair, locked=True)
        Participant.objects.filter(pk=world["Ann"].pk).update(status="withdrawn")
        rerun = services.matching_run(cohort=world["cohort"], actor=None)
    client.force_login(program_manager.user)

    page = client.get(_page_url(world)).content.decode()

    note = "The locked pair Ann Junior and Dan Senior was not kept: Ann Junior is withdrawn."
    assert rerun.notes == [note]
    assert "Locked pairs this run could not keep:" in page and note in page


def test_the_partners_profile_shows_what_they_teach_and_want_to_learn(client, acme, world, members):
    run = _draft(acme, world)
    with tenant_context(organization=acme):
        services.run_publish(run=run)

    client.force_login(members["Dan"].user)
    dans = client.get(f"/o/acme/programs/mine/{world['Dan'].pk}/").content.decode()
    client.force_login(members["Ann"].user)
    anns = client.get(f"/o/acme/programs/mine/{world['Ann'].pk}/").content.decode()

    ann_profile = dans[dans.index("Your mentor: Ann Junior") :]
    dan_profile = anns[anns.index("Your mentee: Dan Senior") :]
    assert "<dt>Can teach</dt>" in ann_profile
    assert "Generative AI tools (5 of 5)" in ann_profile
    assert "<dt>Wants to learn</dt>" in dan_profile
    assert "Generative AI tools</dd>" in dan_profile


def test_run_matching_is_shown_disabled_with_the_reason_while_the_program_recruits(
    client, acme, world, program_manager
):
    from programs.models import Program

    with tenant_context(organization=acme):
        Program.objects.filter(pk=world["program"].pk).update(status=Program.Status.RECRUITING)
    client.force_login(program_manager.user)

    page = client.get(_page_url(world)).content.decode()

    [button] = re.findall(r"<button[^>]*>Run matching</button>", page)
    assert "disabled" in button and 'aria-describedby="run-refusal"' in button
    [reason] = re.findall(r'<div[^>]*id="run-refusal"[^>]*>(.*?)</div>', page, flags=re.DOTALL)
    assert "it is recruiting now" in reason


def test_score_changes_carry_a_sign_and_totals_round_one_way():
    from matching.templatetags.scores import score, signed_score

    assert signed_score(60) == "+60.0"
    assert signed_score(-11.44) == "\u221211.4"
    assert signed_score(0.04) == "0.0"
    # Python's round() makes 341.9 of this (its binary value is just under); pages say 342.0.
    assert score(341.95) == "342.0"


def test_a_swap_preview_starts_from_the_total_the_page_shows(client, acme, world, program_manager):
    run = _draft(acme, world)
    with tenant_context(organization=acme):
        ids = list(Pair.objects.filter(run=run, status="proposed").values_list("pk", flat=True))
    client.force_login(program_manager.user)

    page = client.get(_page_url(world)).content.decode()
    preview = client.post(f"{_page_url(world)}runs/{run.pk}/swap/", {"pair": ids[:2]})

    [total] = re.findall(r"Total score (\d+\.\d)", page)
    [(before, after, change)] = re.findall(
        r"Total score of the draft: ([\d.]+) → ([\d.]+) \(([+\u2212]?[\d.]+)\)",
        preview.content.decode(),
    )
    assert before == total
    sign = -1 if change.startswith("\u2212") else 1
    assert round(float(before) + sign * float(change.lstrip("+\u2212")), 1) == float(after)
