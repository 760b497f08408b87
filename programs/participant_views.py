"""The participant's side: my programs, the application (my profile for a program),
the training checklist, self-nomination and leaving."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from matching.choice import suggestions
from matching.selectors import pairs_of
from organizations.decorators import permission_required
from organizations.directory.demographics import employee_for_user
from organizations.http import post_only, posted, run_on_form, run_reporting
from programs import enrolment, training
from programs.forms import ApplicationForm, NominationForm, OptionalDemographicsForm
from programs.models import Cohort, Participant, ProgramQuestion, Resource, TrainingModule
from programs.selectors import (
    cohort_is_full,
    open_cohorts_for_nomination,
    participations_of,
    program_topics,
)
from sessions.circles import upcoming_circles


def _own(request, participant_id) -> Participant:
    """One of the signed-in person's own places; anyone else's is 404."""
    return get_object_or_404(
        participations_of(organization=request.organization, user=request.user),
        pk=participant_id,
    )


@permission_required("program.participate")
def my_programs(request, org_slug):
    places = list(participations_of(organization=request.organization, user=request.user))
    for place in places:  # the in-app side of "you have been paired"
        place.live_pairs = [pair for pair in pairs_of(place) if pair.is_live]
    taken = {p.program_id for p in places if p.is_open}
    context = {
        "places": places,
        "open_cohorts": [
            c
            for c in open_cohorts_for_nomination(organization=request.organization)
            if c.program_id not in taken
        ],
        "in_directory": employee_for_user(organization=request.organization, user=request.user)
        is not None,
    }
    return render(request, "programs/my_programs.html", context)


@permission_required("program.participate")
def participation(request, org_slug, participant_id):
    """A person's place in a program: where they stand, what happens next, their
    training checklist and the program's reading."""
    participant = _own(request, participant_id)
    pairs = list(pairs_of(participant))
    modules = list(training.modules_for(participant))
    done = set(participant.completions.values_list("module_id", flat=True))
    resources = training.for_role(
        Resource.objects.filter(program=participant.program), participant.role
    )
    context = {
        "participant": participant,
        "program": participant.program,
        "modules": [(m, m.pk in done) for m in modules],
        "required_left": sum(1 for m in modules if m.required_before_matching and m.pk not in done),
        "resources": resources,
        "topics": participant.topics.select_related("topic").order_by("kind", "topic__name"),
        "pairs": pairs,
        "circles": upcoming_circles(participant),
        "suggestions": [] if any(p.is_live for p in pairs) else suggestions(participant),
    }
    return render(request, "programs/participation.html", context)


@permission_required("program.participate")
def apply(request, org_slug, participant_id):
    """The application form; afterwards the same form edits the profile until matching."""
    participant = _own(request, participant_id)
    program = participant.program
    if not participant.profile_editable:
        messages.info(request, _("This profile can no longer be changed."))
        return redirect("programs:participation", org_slug=org_slug, participant_id=participant.pk)
    form = ApplicationForm(
        posted(request),
        participant=participant,
        topics=program_topics(program),
        questions=ProgramQuestion.objects.filter(program=program),
        initial=ApplicationForm.initial_for(participant),
    )
    demographics = OptionalDemographicsForm(
        posted(request), instance=getattr(participant.employee, "demographics", None)
    )
    if request.method == "POST" and form.is_valid() & demographics.is_valid():
        answers = demographics.cleaned_data if demographics.answered() else None
        application = form.application(answers, withdraw_demographics=demographics.withdraws())
        first_time = participant.status == Participant.Status.INVITED
        done, _participant = run_on_form(
            form,
            lambda: enrolment.participant_apply(participant=participant, application=application),
        )
        if done:
            messages.success(
                request,
                _("Application sent. The program manager will review it.")
                if first_time
                else _("Profile saved."),
            )
            return redirect(
                "programs:participation", org_slug=org_slug, participant_id=participant.pk
            )
    context = {
        "participant": participant,
        "program": program,
        "form": form,
        "demographics_form": demographics,
    }
    return render(request, "programs/apply.html", context)


@permission_required("program.participate")
def training_toggle(request, org_slug, participant_id, module_id):
    participant = _own(request, participant_id)
    module = get_object_or_404(TrainingModule, pk=module_id, program=participant.program_id)
    if request.method != "POST":
        return post_only()
    if request.POST.get("done") == "no":
        training.training_undo(participant=participant, module=module)
    else:
        run_reporting(
            request,
            lambda: training.training_complete(participant=participant, module=module),
            _("“%(title)s” marked as done.") % {"title": module.title},
        )
    return redirect("programs:participation", org_slug=org_slug, participant_id=participant.pk)


@permission_required("program.participate")
def withdraw(request, org_slug, participant_id):
    participant = _own(request, participant_id)
    if request.method != "POST":
        return post_only()
    run_reporting(
        request,
        lambda: enrolment.participant_withdraw(participant=participant, by_manager=False),
        _("You have left %(program)s.") % {"program": participant.program.name},
    )
    return redirect("programs:mine", org_slug=org_slug)


@permission_required("program.participate")
def nominate(request, org_slug, cohort_id):
    """The cohort's self-nomination link: choose a role, then fill in the application."""
    cohort = get_object_or_404(
        Cohort.objects.select_related("program"),
        pk=cohort_id,
        organization=request.organization,
    )
    employee = employee_for_user(organization=request.organization, user=request.user)
    form = NominationForm(posted(request))
    if request.method == "POST" and employee is not None and form.is_valid():
        done, participant = run_on_form(
            form,
            lambda: enrolment.participant_nominate(
                cohort=cohort, employee=employee, role=form.cleaned_data["role"]
            ),
        )
        if done:
            return redirect("programs:apply", org_slug=org_slug, participant_id=participant.pk)
    context = {
        "cohort": cohort,
        "program": cohort.program,
        "form": form,
        "employee": employee,
        "full": cohort_is_full(cohort),
    }
    return render(request, "programs/nominate.html", context)
