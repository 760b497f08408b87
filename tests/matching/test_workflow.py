"""The matching workflow on the database: run, review (swap, override, lock, re-run),
publish, what participants then see, and ending a pair."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from matching import services
from matching.models import MatchRun, Pair, Unplaced
from organizations.tenancy import tenant_context
from programs.models import Participant, Program
from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _run(acme, world):
    with tenant_context(organization=acme):
        return services.matching_run(cohort=world["cohort"], actor=None)


def _pairs(acme, run):
    with tenant_context(organization=acme):
        return {
            (p.mentor.employee.name.split()[0], p.mentee.employee.name.split()[0]): p
            for p in Pair.objects.filter(run=run, status__in=["proposed", "active"]).select_related(
                "mentor__employee", "mentee__employee"
            )
        }


def test_a_run_pairs_the_best_fit_never_inside_a_reporting_line_and_says_why(acme, world):
    run = _run(acme, world)

    pairs = _pairs(acme, run)
    # Bea teaches best but reports to Dan: she gets Eve, and Dan gets Ann.
    assert set(pairs) == {("Ann", "Dan"), ("Bea", "Eve")}
    assert "which Dan most wants to learn" in pairs[("Ann", "Dan")].explanation
    assert "different departments (Sales and Engineering)" in pairs[("Ann", "Dan")].explanation
    with tenant_context(organization=acme):
        (unplaced,) = Unplaced.objects.filter(run=run).select_related("participant__employee")
        world["cohort"].refresh_from_db()
    assert unplaced.participant.employee.name == "Cy Junior"
    assert "More mentor places than mentees" in unplaced.reason
    assert world["cohort"].matching_started_at is not None


def test_matching_waits_for_the_program_to_reach_matching(acme, world):
    with tenant_context(organization=acme):
        Program.objects.filter(pk=world["program"].pk).update(status=Program.Status.RECRUITING)
        world["cohort"].refresh_from_db()
        with pytest.raises(ValidationError, match="Matching opens when .* it is recruiting now"):
            services.matching_run(cohort=world["cohort"], actor=None)


def test_a_swap_that_breaks_a_hard_constraint_is_refused_and_changes_nothing(acme, world):
    run = _run(acme, world)
    pairs = _pairs(acme, run)
    ids = [pairs[("Ann", "Dan")].pk, pairs[("Bea", "Eve")].pk]

    with tenant_context(organization=acme):
        preview = services.pair_swap_preview(run=run, pair_ids=ids)
        with pytest.raises(ValidationError, match="reporting line"):
            services.pair_swap(run=run, pair_ids=ids, reason="I insist")

    assert preview.broken == ["Bea Junior and Dan Senior: one is in the other's reporting line."]
    assert set(_pairs(acme, run)) == {("Ann", "Dan"), ("Bea", "Eve")}


def test_an_override_that_breaks_a_soft_rule_needs_a_reason(acme, world):
    run = _run(acme, world)
    cy, eve = world["Cy"], world["Eve"]

    with tenant_context(organization=acme):
        preview = services.pair_override_preview(run=run, mentor_id=cy.pk, mentee_id=eve.pk)
        with pytest.raises(ValidationError, match="Say why"):
            services.pair_override(run=run, mentor_id=cy.pk, mentee_id=eve.pk)
        services.pair_override(
            run=run, mentor_id=cy.pk, mentee_id=eve.pk, reason="Eve asked for someone in Sales"
        )

    assert preview.soft == ["Cy Junior and Eve Senior: same department."]
    assert preview.score_change < 0
    pairs = _pairs(acme, run)
    assert set(pairs) == {("Ann", "Dan"), ("Cy", "Eve")}
    assert pairs[("Cy", "Eve")].override_reason == "Eve asked for someone in Sales"
    with tenant_context(organization=acme):
        # Cy is placed now; Bea is the one left over, and the list says why.
        left = Unplaced.objects.filter(run=run).values_list("participant__employee__name", "reason")
        assert list(left) == [("Bea Junior", "A program manager changed their pair.")]


def test_a_mentor_at_capacity_cannot_take_another(acme, world):
    run = _run(acme, world)

    with tenant_context(organization=acme), pytest.raises(ValidationError, match="is full"):
        services.pair_override_preview(
            run=run, mentor_id=world["Ann"].pk, mentee_id=world["Eve"].pk
        )


def test_a_rerun_keeps_locked_pairs(acme, world):
    run = _run(acme, world)
    with tenant_context(organization=acme):
        services.pair_override(
            run=run, mentor_id=world["Cy"].pk, mentee_id=world["Dan"].pk, reason="Dan asked"
        )
        locked = Pair.objects.get(run=run, status="proposed", mentee=world["Dan"])
        services.pair_set_locked(pair=locked, locked=True)

        rerun = services.matching_run(cohort=world["cohort"], actor=None)
        run.refresh_from_db()

    assert run.status == MatchRun.Status.REPLACED
    pairs = _pairs(acme, rerun)
    assert pairs[("Cy", "Dan")].locked
    assert (pairs[("Cy", "Dan")].source, pairs[("Cy", "Dan")].override_reason) == (
        "manager",
        "Dan asked",
    )
    assert set(pairs) == {("Cy", "Dan"), ("Bea", "Eve")}


def test_publishing_activates_pairs_tells_both_people_and_the_program_goes_active(
    acme, world, members, daytime, django_capture_on_commit_callbacks
):
    run = _run(acme, world)

    with tenant_context(organization=acme), django_capture_on_commit_callbacks(execute=True):
        services.run_publish(run=run)

    with tenant_context(organization=acme):
        assert set(Pair.objects.filter(run=run).values_list("status", flat=True)) == {"active"}
        assert Program.objects.get(pk=world["program"].pk).status == Program.Status.ACTIVE
    # The four paired people hear who their partner is; Cy, left without a mentee, hears
    # that this round did not match them (tests/matching/test_rematch.py).
    assert sorted(m.to[0] for m in mail.outbox if "meet" in m.subject) == sorted(
        f"{x}@acme.example" for x in ("ann", "dan", "bea", "eve")
    )
    assert [m.to[0] for m in mail.outbox if "meet" not in m.subject] == ["cy@acme.example"]
    to_dan = next(m for m in mail.outbox if m.to == ["dan@acme.example"])
    assert "meet Ann Junior" in to_dan.subject
    assert "Why you were matched:" in to_dan.body


def test_the_mentor_sees_their_mentee_and_why_and_can_end_the_pair_without_blame(
    client, acme, world
):
    run = _run(acme, world)
    with tenant_context(organization=acme):
        services.run_publish(run=run)
    ann = UserFactory(email="ann@acme.example")
    membership = MembershipFactory(organization=acme, user=ann)
    client.force_login(ann)
    page = client.get(f"/o/acme/programs/mine/{world['Ann'].pk}/").content.decode()
    overview = client.get("/o/acme/programs/mine/").content.decode()
    pair = _pairs(acme, run)[("Ann", "Dan")]

    refused = client.post(
        f"/o/acme/programs/mine/{world['Ann'].pk}/pairs/{pair.pk}/end/", {"reason": ""}, follow=True
    )
    client.post(
        f"/o/acme/programs/mine/{world['Ann'].pk}/pairs/{pair.pk}/end/",
        {"reason": "Our schedules never meet."},
    )

    assert "Your mentee: Dan Senior" in page
    assert "Paired with your mentee Dan Senior" in overview
    assert "which Dan most wants to learn" in page
    assert "only the program manager reads it" in refused.content.decode()
    with tenant_context(organization=acme):
        pair.refresh_from_db()
    assert (pair.status, pair.end_reason, pair.ended_by_id, pair.ended_by_role) == (
        "ended",
        "Our schedules never meet.",
        membership.pk,
        "mentor",
    )
    # Dan never sees the reason.
    dan = UserFactory(email="dan@acme.example")
    MembershipFactory(organization=acme, user=dan)
    client.force_login(dan)
    assert (
        "schedules" not in client.get(f"/o/acme/programs/mine/{world['Dan'].pk}/").content.decode()
    )


def test_an_ended_pair_is_never_proposed_again(acme, world):
    run = _run(acme, world)
    with tenant_context(organization=acme):
        services.run_publish(run=run)
        pair = Pair.objects.get(run=run, mentee=world["Dan"])
        services.pair_end(pair=pair, reason="No chemistry", actor=None)
        rerun = services.matching_run(cohort=world["cohort"], actor=None)

    pairs = _pairs(acme, rerun)
    assert ("Ann", "Dan") not in pairs
    assert set(pairs) == {("Cy", "Dan")}


def test_swapping_two_pairs_of_one_mentor_is_refused(acme, world):
    with tenant_context(organization=acme):
        Participant.objects.filter(pk=world["Ann"].pk).update(capacity=2)
        Participant.objects.filter(pk__in=[world["Bea"].pk, world["Cy"].pk]).update(
            status="withdrawn"
        )
    run = _run(acme, world)
    ids = [p.pk for p in _pairs(acme, run).values()]

    with tenant_context(organization=acme), pytest.raises(ValidationError, match="same mentor"):
        services.pair_swap_preview(run=run, pair_ids=ids)
