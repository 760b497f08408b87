"""The pair's workspace, for its two people only."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.zones import zone_for
from matching.services import pair_end
from organizations.decorators import permission_required
from organizations.http import flash_form_errors, post_only, posted, run_on_form, run_reporting
from programs.models import Resource, Topic
from programs.training import for_role
from sessions import conversation, services
from sessions.forms import (
    CommitmentForm,
    GoalForm,
    LogForm,
    MessageForm,
    PairEndForm,
    PlanForm,
    ReflectionForm,
)
from sessions.models import Commitment, Goal, MentoringSession, Reflection
from sessions.selectors import (
    agenda_default,
    held_sessions,
    my_pair,
    my_reflection,
    pair_commitments,
    pair_goals,
    pair_sessions,
    reflections,
    visible_notes,
)


def _pair(request, pair_id):
    return my_pair(organization=request.organization, user=request.user, pair_id=pair_id)


def _back(pair):
    return redirect("mentoring:pair", org_slug=pair.organization.slug, pair_id=pair.pk)


@permission_required("program.participate")
def pair_workspace(request, org_slug, pair_id):
    pair, me, partner = _pair(request, pair_id)
    upcoming, past = pair_sessions(pair)
    held = sum(1 for s in past if s.status == MentoringSession.Status.HELD)
    senior = services.senior_of(pair)
    zone = zone_for(organization=request.organization, participant=me)
    context = {
        "pair": pair,
        "program": pair.program,
        "me": me,
        "partner": partner,
        "my_zone": zone.key,
        "partner_zone": zone_for(organization=request.organization, participant=partner).key,
        "upcoming": upcoming,
        "nothing_booked": not any(s.is_scheduled for s in upcoming),
        "past": past,
        "held": held,
        "goals": pair_goals(pair, today=timezone.localtime(timezone.now(), zone).date()),
        "goal_form": GoalForm(pair=pair),
        "commitments": pair_commitments(pair),
        "can_commit": pair.is_active and (senior is None or senior.pk == me.pk),
        "commitment_form": CommitmentForm(sessions=held_sessions(pair), zone=zone),
        **_conversation_context(pair, me),
        "guides": for_role(
            Resource.objects.filter(program=pair.program_id, kind__in=["guide", "agenda"]),
            me.role,
        ),
    }
    return render(request, "sessions/pair.html", context)


def _conversation_context(pair, me) -> dict:
    thread, older = conversation.thread(pair, me)
    return {
        "thread": thread,
        "thread_older": older,
        "message_form": MessageForm(prefix="message"),
    }


@permission_required("program.participate")
def message_send(request, org_slug, pair_id):
    pair, me, _partner = _pair(request, pair_id)
    if request.method != "POST":
        return post_only()
    form = MessageForm(request.POST, prefix="message")
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        run_reporting(
            request,
            lambda: conversation.message_send(pair=pair, sender=me, text=form.cleaned_data["text"]),
            None,
        )
    response = _back(pair)
    response["Location"] += "#conversation"
    return response


@permission_required("program.participate")
def session_new(request, org_slug, pair_id):
    pair, me, partner = _pair(request, pair_id)
    zone = zone_for(organization=request.organization, participant=me)
    initial = {**PlanForm.next_slot(zone), "agenda": agenda_default(pair)}
    form = PlanForm(posted(request), zone=zone, program=pair.program, initial=initial)
    if request.method == "POST" and form.is_valid():
        done, _session = run_on_form(
            form, lambda: services.session_schedule(pair=pair, actor=me, plan=form.plan())
        )
        if done:
            messages.success(
                request,
                _("Session booked. You and %(name)s have a calendar invitation by email.")
                % {"name": partner.employee.name},
            )
            return _back(pair)
    context = {"pair": pair, "partner": partner, "form": form, "agendas": _agendas(pair)}
    return render(request, "sessions/session_form.html", context)


def _agendas(pair):
    return Resource.objects.filter(program=pair.program_id, kind=Resource.Kind.AGENDA)


def _session(pair, session_id) -> MentoringSession:
    return get_object_or_404(MentoringSession, pk=session_id, pair=pair)


@permission_required("program.participate")
def session_detail(request, org_slug, pair_id, session_id):
    pair, me, partner = _pair(request, pair_id)
    session = _session(pair, session_id)
    zone = zone_for(organization=request.organization, participant=me)
    mine = my_reflection(session, me)
    context = {
        "pair": pair,
        "me": me,
        "partner": partner,
        "session": session,
        "my_zone": zone.key,
        "partner_zone": zone_for(organization=request.organization, participant=partner).key,
        "notes": visible_notes(session, me),
        "reflections": reflections(session),
        "my_reflection": mine,
        # Nothing more to add once they reflected (they change it instead), or once it is
        # logged as not held.
        "mine_logged": session.status == MentoringSession.Status.NOT_HELD or mine is not None,
        "plan_form": PlanForm(
            initial=PlanForm.initial_for(session, zone), zone=zone, program=pair.program
        ),
        "log_form": LogForm(
            topics=Topic.objects.filter(programtopic__program=pair.program_id),
            zone=zone,
            needs_when=False,
            facts_known=session.logged_at is not None,
        ),
        "topics": Topic.objects.filter(pk__in=session.topic_ids),
        "changes": session.changes.all(),
    }
    return render(request, "sessions/session_detail.html", context)


@permission_required("program.participate")
def session_reschedule(request, org_slug, pair_id, session_id):
    pair, me, _partner = _pair(request, pair_id)
    session = _session(pair, session_id)
    if request.method != "POST":
        return post_only()
    form = PlanForm(
        request.POST,
        zone=zone_for(organization=request.organization, participant=me),
        program=pair.program,
    )
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        run_reporting(
            request,
            lambda: services.session_reschedule(session=session, actor=me, plan=form.plan()),
            _("Session moved. Both calendars get the update."),
        )
    return redirect("mentoring:session", org_slug=org_slug, pair_id=pair.pk, session_id=session.pk)


@permission_required("program.participate")
def session_cancel(request, org_slug, pair_id, session_id):
    pair, me, _partner = _pair(request, pair_id)
    session = _session(pair, session_id)
    if request.method != "POST":
        return post_only()
    run_reporting(
        request,
        lambda: services.session_cancel(session=session, actor=me),
        _("Session cancelled. Both calendars get the update."),
    )
    return _back(pair)


@permission_required("program.participate")
def session_log(request, org_slug, pair_id, session_id=None):
    """Log a scheduled session, or one that was never scheduled (no id)."""
    pair, me, _partner = _pair(request, pair_id)
    session = _session(pair, session_id) if session_id else None
    zone = zone_for(organization=request.organization, participant=me)
    form = LogForm(
        posted(request),
        topics=Topic.objects.filter(programtopic__program=pair.program_id),
        zone=zone,
        needs_when=session is None,
        facts_known=session is not None and session.logged_at is not None,
    )
    if request.method == "POST" and form.is_valid():
        done, logged = run_on_form(
            form,
            lambda: services.session_log(
                pair=pair,
                actor=me,
                user=request.user,
                log=form.log(),
                session=session,
                starts_at=form.starts_at(),
            ),
        )
        if done:
            messages.success(request, _("Logged. Thank you."))
            return redirect(
                "mentoring:session", org_slug=org_slug, pair_id=pair.pk, session_id=logged.pk
            )
    context = {"pair": pair, "session": session, "form": form}
    return render(request, "sessions/log_form.html", context)


@permission_required("program.participate")
def reflection_edit(request, org_slug, pair_id, session_id):
    """Change one's own reflection on a logged session; nobody else's (404)."""
    pair, me, partner = _pair(request, pair_id)
    session = _session(pair, session_id)
    reflection = get_object_or_404(Reflection, session=session, participant=me)
    initial = {
        "rating": reflection.rating,
        "learned": reflection.learned,
        "taught": reflection.taught,
    }
    form = ReflectionForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        done, _reflection = run_on_form(
            form,
            lambda: services.reflection_update(session=session, actor=me, **form.cleaned_data),
        )
        if done:
            messages.success(request, _("Your reflection is saved."))
            return redirect(
                "mentoring:session", org_slug=org_slug, pair_id=pair.pk, session_id=session.pk
            )
    context = {"pair": pair, "partner": partner, "session": session, "form": form}
    return render(request, "sessions/reflection_form.html", context)


@permission_required("program.participate")
def goal_add(request, org_slug, pair_id):
    pair, me, _partner = _pair(request, pair_id)
    if request.method != "POST":
        return post_only()
    form = GoalForm(request.POST, pair=pair)
    if not form.is_valid():
        flash_form_errors(request, form)
        return _back(pair)
    run_reporting(
        request,
        lambda: services.goal_add(pair=pair, actor=me, **form.cleaned_data),
        _("Goal added."),
    )
    return _back(pair)


@permission_required("program.participate")
def goal_edit(request, org_slug, pair_id, goal_id):
    """Change a goal's wording, whose it is and when it is due (either of the pair)."""
    pair, me, partner = _pair(request, pair_id)
    goal = get_object_or_404(Goal, pk=goal_id, pair=pair)
    initial = {"title": goal.title, "owner": goal.owner_id, "due_date": goal.due_date}
    form = GoalForm(posted(request), pair=pair, initial=initial)
    if request.method == "POST" and form.is_valid():
        done, _goal = run_on_form(
            form, lambda: services.goal_update(goal=goal, actor=me, **form.cleaned_data)
        )
        if done:
            messages.success(request, _("Goal saved."))
            return _back(pair)
    context = {"pair": pair, "partner": partner, "goal": goal, "form": form}
    return render(request, "sessions/goal_form.html", context)


@permission_required("program.participate")
def goal_status(request, org_slug, pair_id, goal_id):
    pair, me, _partner = _pair(request, pair_id)
    goal = get_object_or_404(Goal, pk=goal_id, pair=pair)
    if request.method != "POST":
        return post_only()
    run_reporting(
        request,
        lambda: services.goal_set_status(
            goal=goal, actor=me, status=request.POST.get("status", "")
        ),
        None,
    )
    return _back(pair)


@permission_required("program.participate")
def commitment_add(request, org_slug, pair_id):
    pair, me, _partner = _pair(request, pair_id)
    if request.method != "POST":
        return post_only()
    form = CommitmentForm(
        request.POST,
        sessions=held_sessions(pair),
        zone=zone_for(organization=request.organization, participant=me),
    )
    if not form.is_valid():
        flash_form_errors(request, form)
        return _back(pair)
    run_reporting(
        request,
        lambda: services.commitment_add(pair=pair, actor=me, **form.cleaned_data),
        _("Commitment recorded."),
    )
    return _back(pair)


@permission_required("program.participate")
def commitment_status(request, org_slug, pair_id, commitment_id):
    pair, me, _partner = _pair(request, pair_id)
    commitment = get_object_or_404(Commitment, pk=commitment_id, pair=pair)
    if request.method != "POST":
        return post_only()
    run_reporting(
        request,
        lambda: services.commitment_set_status(
            commitment=commitment, actor=me, status=request.POST.get("status", "")
        ),
        None,
    )
    return _back(pair)


@permission_required("program.participate")
def pair_end_confirm(request, org_slug, pair_id):
    """Either person ends their pairing from the workspace, after a page that says what
    ending does (it cannot be undone) and asks why, for the program manager only."""
    pair, me, partner = _pair(request, pair_id)
    if not pair.is_active:
        return _back(pair)
    form = PairEndForm(posted(request))
    if request.method == "POST" and form.is_valid():
        done, _ended = run_on_form(
            form,
            lambda: pair_end(
                pair=pair,
                reason=form.cleaned_data["reason"],
                actor=request.membership,
                by_participant=me,
            ),
        )
        if done:
            messages.success(
                request,
                _(
                    "Your pairing has ended. The program manager will be in touch about "
                    "a new match."
                ),
            )
            return redirect("home:participation", org_slug=org_slug, participant_id=me.pk)
    context = {"pair": pair, "me": me, "partner": partner, "form": form}
    return render(request, "sessions/pair_end.html", context)
