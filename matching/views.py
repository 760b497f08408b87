"""The program manager's review of a cohort's matching, and ending a pair."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from matching import choice, rematch, services
from matching.models import MatchRun, Pair
from matching.selectors import (
    ChangePreview,
    change_preview,
    cohort_active_pairs,
    cohort_ended_pairs,
    cohort_rematch_requests,
    latest_run,
    run_pairs,
    run_total_score,
    run_unplaced,
)
from organizations.decorators import permission_required
from organizations.http import post_only, run_reporting
from programs.decorators import program_permission_required
from programs.models import Cohort, Participant, Program
from programs.selectors import participations_of


def _cohort(request, program_id, cohort_id) -> Cohort:
    return get_object_or_404(
        Cohort.objects.select_related("program"),
        pk=cohort_id,
        program_id=program_id,
        organization=request.organization,
    )


def _run(request, cohort, run_id) -> MatchRun:
    return get_object_or_404(MatchRun, pk=run_id, cohort=cohort, organization=request.organization)


def _back(cohort):
    return redirect(
        "matching:cohort",
        org_slug=cohort.organization.slug,
        program_id=cohort.program_id,
        cohort_id=cohort.pk,
    )


@program_permission_required("program.view")
def cohort_matching(request, org_slug, program_id, cohort_id):
    cohort = _cohort(request, program_id, cohort_id)
    run = latest_run(cohort)
    pairs = list(run_pairs(run)) if run else []
    active_pairs = list(cohort_active_pairs(cohort))
    paired = {p.mentee_id for p in active_pairs}
    waiting = Participant.objects.filter(
        cohort=cohort, role=Participant.Role.MENTEE, status=Participant.Status.APPROVED
    ).exclude(pk__in=paired)
    rematch_requests = list(cohort_rematch_requests(cohort))
    context = {
        "program": cohort.program,
        "cohort": cohort,
        "run": run,
        "pairs": pairs,
        "total": run_total_score(run) if run else 0,
        "unplaced": list(run_unplaced(run)) if run else [],
        "active_pairs": active_pairs,
        "ended_pairs": list(cohort_ended_pairs(cohort)),
        "mentees_choose": cohort.program.matching_mode == Program.MatchingMode.MENTEE_CHOICE,
        "run_refusal": services.matching_run_refusal(program=cohort.program),
        "mentees_waiting": waiting.count(),
        "rematch_requests": rematch_requests,
        "rematch_ids": {r.participant_id for r in rematch_requests},
        "mentors": Participant.objects.filter(
            cohort=cohort, role=Participant.Role.MENTOR, status=Participant.Status.APPROVED
        ).select_related("employee", "employee__department"),
    }
    return render(request, "matching/cohort.html", context)


@program_permission_required("program.manage")
def run_matching(request, org_slug, program_id, cohort_id):
    cohort = _cohort(request, program_id, cohort_id)
    if request.method != "POST":
        return post_only()
    run_reporting(
        request,
        lambda: services.matching_run(cohort=cohort, actor=request.membership),
        _("Matching done. Review the pairs, then publish."),
    )
    return _back(cohort)


@program_permission_required("program.manage")
def swap(request, org_slug, program_id, cohort_id, run_id):
    """Swap two pairs' mentees: first a preview with the change in total score and
    anything it breaks, then for real."""
    cohort = _cohort(request, program_id, cohort_id)
    run = _run(request, cohort, run_id)
    if request.method != "POST":
        return post_only()
    try:
        pair_ids = [int(x) for x in request.POST.getlist("pair")]
        if len(pair_ids) != 2:
            raise ValidationError(_("Tick exactly two pairs to swap their mentees."))
        if request.POST.get("confirm") == "yes":
            services.pair_swap(run=run, pair_ids=pair_ids, reason=request.POST.get("reason", ""))
            messages.success(request, _("Pairs changed."))
            return _back(cohort)
        change = services.pair_swap_preview(run=run, pair_ids=pair_ids)
    except (ValidationError, ValueError) as error:
        return _refused(request, cohort, error)
    preview = change_preview(run=run, change=change, swapped_pair_ids=pair_ids)
    return _render_preview(request, cohort, run, preview, action="matching:swap")


@program_permission_required("program.manage")
def override(request, org_slug, program_id, cohort_id, run_id):
    """Pair a mentee with a mentor of the manager's choice: first a preview, then for
    real."""
    cohort = _cohort(request, program_id, cohort_id)
    run = _run(request, cohort, run_id)
    if request.method != "POST":
        return post_only()
    try:
        mentor_id, mentee_id = int(request.POST["mentor"]), int(request.POST["mentee"])
        if request.POST.get("confirm") == "yes":
            services.pair_override(
                run=run,
                mentor_id=mentor_id,
                mentee_id=mentee_id,
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, _("Pairs changed."))
            return _back(cohort)
        change = services.pair_override_preview(run=run, mentor_id=mentor_id, mentee_id=mentee_id)
    except (ValidationError, KeyError, ValueError) as error:
        return _refused(request, cohort, error)
    preview = change_preview(run=run, change=change)
    return _render_preview(request, cohort, run, preview, action="matching:override")


def _refused(request, cohort, error):
    for message in getattr(error, "messages", [_("Choose the people to pair.")]):
        messages.error(request, message)
    return _back(cohort)


def _render_preview(request, cohort, run, preview: ChangePreview, *, action: str):
    context = {
        "program": cohort.program,
        "cohort": cohort,
        "run": run,
        "preview": preview,
        "change": preview.change,
        "confirm_url": reverse(
            action,
            kwargs={
                "org_slug": cohort.organization.slug,
                "program_id": cohort.program_id,
                "cohort_id": cohort.pk,
                "run_id": run.pk,
            },
        ),
        "posted": request.POST,
        "pair_ids": request.POST.getlist("pair"),
    }
    return render(request, "matching/change_preview.html", context)


@program_permission_required("program.manage")
def lock(request, org_slug, program_id, cohort_id, pair_id):
    cohort = _cohort(request, program_id, cohort_id)
    pair = get_object_or_404(Pair, pk=pair_id, cohort=cohort)
    if request.method != "POST":
        return post_only()
    locked = request.POST.get("locked") == "yes"
    run_reporting(
        request,
        lambda: services.pair_set_locked(pair=pair, locked=locked),
        _("Pair locked: a re-run keeps it.") if locked else _("Pair unlocked."),
    )
    return _back(cohort)


@program_permission_required("program.manage")
def publish(request, org_slug, program_id, cohort_id, run_id):
    cohort = _cohort(request, program_id, cohort_id)
    run = _run(request, cohort, run_id)
    if request.method != "POST":
        return post_only()
    run_reporting(
        request,
        lambda: services.run_publish(run=run),
        _("Published. Everyone paired has been told who their partner is and why."),
    )
    return _back(cohort)


@program_permission_required("program.manage")
def end_pair(request, org_slug, program_id, cohort_id, pair_id):
    cohort = _cohort(request, program_id, cohort_id)
    pair = get_object_or_404(Pair, pk=pair_id, cohort=cohort)
    if request.method != "POST":
        return post_only()
    run_reporting(
        request,
        lambda: services.pair_end(
            pair=pair, reason=request.POST.get("reason", ""), actor=request.membership
        ),
        _("The pair has ended. Both can be matched again."),
    )
    return _back(cohort)


@permission_required("program.participate")
def end_own_pair(request, org_slug, participant_id, pair_id):
    """Either person of a pair may end it; the reason goes to the program manager only."""
    participant = get_object_or_404(
        participations_of(organization=request.organization, user=request.user),
        pk=participant_id,
    )
    pair = get_object_or_404(
        Pair.objects.filter(mentor=participant) | Pair.objects.filter(mentee=participant),
        pk=pair_id,
    )
    if request.method != "POST":
        return post_only()
    run_reporting(
        request,
        lambda: services.pair_end(
            pair=pair,
            reason=request.POST.get("reason", ""),
            actor=request.membership,
            by_participant=participant,
        ),
        _("Your pairing has ended. The program manager will be in touch about a new match."),
    )
    return redirect("home:participation", org_slug=org_slug, participant_id=participant.pk)


@permission_required("program.participate")
def choose_mentor(request, org_slug, participant_id):
    """In a program where mentees choose: take one of the suggested mentors."""
    participant = get_object_or_404(
        participations_of(organization=request.organization, user=request.user),
        pk=participant_id,
    )
    if request.method != "POST":
        return post_only()
    try:
        mentor_id = int(request.POST.get("mentor", ""))
    except ValueError:
        mentor_id = 0
    run_reporting(
        request,
        lambda: choice.mentee_choose(participant=participant, mentor_id=mentor_id),
        _("Done: you and your mentor have both been told. Agree a time for your first session."),
    )
    return redirect("home:participation", org_slug=org_slug, participant_id=participant.pk)


@permission_required("program.participate")
def ask_rematch(request, org_slug, participant_id):
    """One click from the person's page: ask to be matched again (asking twice is asking
    once)."""
    participant = get_object_or_404(
        participations_of(organization=request.organization, user=request.user),
        pk=participant_id,
    )
    if request.method != "POST":
        return post_only()
    run_reporting(
        request,
        lambda: rematch.rematch_request(participant=participant),
        _(
            "Done: the program manager sees that you'd like to be matched again. You'll get "
            "an email when you have a new partner."
        ),
    )
    return redirect("home:participation", org_slug=org_slug, participant_id=participant.pk)
