"""Answering surveys, and the mentors' safe channel for concerns.

What someone answered is never shown back to anyone from here: "My surveys" says only
*that* a survey was answered (``Assignment.answered``), which is all it could know. Nothing
here logs, audits or notifies about an answer.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.decorators import permission_required
from organizations.http import flash_form_errors, post_only, posted, run_on_form, run_reporting
from organizations.permissions import has_permission
from programs.decorators import program_permission_required
from programs.selectors import participations_of, program_topics
from sessions.selectors import my_pair
from surveys import services
from surveys.models import Assignment, Concern
from surveys.respond_forms import ConcernForm, FollowUpForm, SurveyForm


def _statement(survey) -> str:
    if survey.anonymous:
        return _(
            "This survey is anonymous: your answers keep your cohort and role, never your name."
        )
    return _(
        "This survey is not anonymous: your answers are kept with your name, department and"
        " level, and the program manager can see who answered what."
    )


def _my_assignments(request):
    mine = participations_of(organization=request.organization, user=request.user)
    return Assignment.objects.filter(participant__in=mine).select_related(
        "schedule__survey", "schedule__cohort__program"
    )


@permission_required("program.participate")
def my_surveys(request, org_slug):
    now = timezone.now()
    assignments = list(_my_assignments(request).order_by("closes_at", "pk"))
    context = {
        "open": [a for a in assignments if not a.answered and a.opens_at <= now <= a.closes_at],
        "answered": [a for a in assignments if a.answered],
        "missed": [a for a in assignments if not a.answered and a.closes_at < now],
    }
    return render(request, "surveys/respond/mine.html", context)


@permission_required("program.participate")
def answer(request, org_slug, assignment_id):
    """The survey's questions, after the statement of how the answers are kept."""
    assignment = get_object_or_404(_my_assignments(request), pk=assignment_id)
    survey = assignment.schedule.survey
    now = timezone.now()
    if assignment.answered:
        refusal = _("You have already answered this survey. Thank you.")
    elif now < assignment.opens_at:
        refusal = _("This survey is not open yet.")
    elif now > assignment.closes_at:
        refusal = _("This survey is closed: it no longer takes answers.")
    else:
        refusal = None
    context = {
        "assignment": assignment,
        "survey": survey,
        "program": assignment.schedule.cohort.program,
        "statement": _statement(survey),
        "refusal": refusal,
    }
    if refusal is not None:  # a POST too: nothing is saved, the page says why
        return render(request, "surveys/respond/answer.html", context)
    form = SurveyForm(
        posted(request),
        questions=survey.questions.all(),
        topics=program_topics(survey.program) if survey.program_id else [],
    )
    problems = []
    if request.method == "POST":
        try:
            services.response_submit(
                assignment=assignment, answers=form.answers(), story_consent=form.story_consent()
            )
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, _("Thank you: your answers are in."))
            return redirect("surveys_respond:mine", org_slug=org_slug)
    context.update({"form": form, "sections": form.sections(), "problems": problems})
    return render(request, "surveys/respond/answer.html", context)


@permission_required("program.participate")
def concern(request, org_slug, pair_id):
    """A mentor tells the program manager something about their pair. The mentee of the
    pair (or anyone else) gets 404: the page does not exist for them."""
    pair, me, partner = my_pair(
        organization=request.organization, user=request.user, pair_id=pair_id
    )
    if me.pk != pair.mentor_id:
        raise Http404
    form = ConcernForm(posted(request))
    if request.method == "POST" and form.is_valid():
        done, _concern = run_on_form(
            form,
            lambda: services.concern_raise(
                pair=pair, actor=me, text=form.cleaned_data["text"], anonymous=form.anonymous
            ),
        )
        if done:
            messages.success(
                request,
                _("Your concern has reached the program manager, anonymously.")
                if form.anonymous
                else _("Your concern has reached the program manager, with your name."),
            )
            return redirect("mentoring:pair", org_slug=org_slug, pair_id=pair.pk)
    context = {"pair": pair, "partner": partner, "program": pair.program, "form": form}
    return render(request, "surveys/respond/concern_form.html", context)


_STATUS_ORDER = {status: rank for rank, status in enumerate(Concern.Status.values)}


@program_permission_required("program.view")
def concerns(request, org_slug, program_id):
    """The program managers' queue. An anonymous concern shows its words, its week and its
    status only (the model keeps nothing else worth showing)."""
    program = request.program
    rows = list(
        Concern.objects.filter(program=program).select_related(
            "author__employee", "pair__mentor__employee", "pair__mentee__employee"
        )
    )
    # Open ones first, the newest week first; within a week, not in the order they came
    # (that order could hint at who wrote an anonymous one).
    rows.sort(key=lambda c: (_STATUS_ORDER.get(c.status, 99), _neg_week(c.week), c.text))
    can_manage = has_permission(request.membership, "program.manage")
    context = {
        "program": program,
        "rows": [
            (c, FollowUpForm(initial={"status": c.status, "follow_up": c.follow_up})) for c in rows
        ],
        "open_count": sum(1 for c in rows if c.status != Concern.Status.RESOLVED),
        "can_manage": can_manage,
    }
    return render(request, "surveys/respond/concerns.html", context)


def _neg_week(week: str) -> tuple:
    year, _sep, number = week.partition("-W")
    try:
        return (-int(year), -int(number))
    except ValueError:
        return (0, 0)


@program_permission_required("program.manage", via=(Concern, "concern_id"))
def concern_follow_up(request, org_slug, concern_id):
    concern = get_object_or_404(Concern, pk=concern_id, organization=request.organization)
    if request.method != "POST":
        return post_only()
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
    else:
        run_reporting(
            request,
            lambda: services.concern_follow_up(concern=concern, **form.cleaned_data),
            _("Follow-up saved."),
        )
    return redirect("surveys_respond:concerns", org_slug=org_slug, program_id=concern.program_id)
