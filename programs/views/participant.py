"""The participant's side: the application (my profile for a program), the training
checklist, self-nomination and leaving. The pages that show a person's places with their
pairs and circles are the composition layer's (home.views.participant)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from directory.demographics import employee_for_user
from organizations.decorators import permission_required
from organizations.http import post_only, posted, run_on_form, run_reporting
from programs import enrolment, training
from programs.forms import ApplicationForm, NominationForm, OptionalDemographicsForm
from programs.models import Cohort, Participant, ProgramQuestion, TrainingModule
from programs.selectors import (
    cohort_is_full,
    participations_of,
    program_topics,
)


def _own(request, participant_id) -> Participant:
    """One of the signed-in person's own places; anyone else's is 404."""
    return get_object_or_404(
        participations_of(organization=request.organization, user=request.user),
        pk=participant_id,
    )


@permission_required("program.participate")
def apply(request, org_slug, participant_id):
    """The application form; afterwards the same form edits the profile until matching."""
    participant = _own(request, participant_id)
    program = participant.program
    if not participant.profile_editable:
        messages.info(request, _("This profile can no longer be changed."))
        return redirect("home:participation", org_slug=org_slug, participant_id=participant.pk)
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
        first_time = participant.is_invited
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
            return redirect("home:participation", org_slug=org_slug, participant_id=participant.pk)
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
    return redirect("home:participation", org_slug=org_slug, participant_id=participant.pk)


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
    return redirect("home:my_programs", org_slug=org_slug)


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
