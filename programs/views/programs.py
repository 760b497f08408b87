from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organizations.decorators import permission_required
from organizations.http import post_only, posted, run_reporting
from organizations.models import Membership
from programs import services
from programs.decorators import program_permission_required
from programs.forms import CohortForm, ProgramForm, TopicForm
from programs.models import Cohort, Program, Topic
from programs.selectors import program_list, program_topics, programs_managed_by, topic_list


@permission_required("program.view")
def programs(request, org_slug):
    context = {"programs": program_list(credential=request.membership)}
    return render(request, "programs/program_list.html", context)


@program_permission_required("program.manage")
def program_edit(request, org_slug, program_id=None):
    """A new program (no id) or changes to one; topics and managers saved with it."""
    program = request.program or Program(organization=request.organization)
    # A program manager designing a new program manages it, unless they say otherwise.
    initial = (
        {}
        if program.pk or not request.membership.is_program_manager
        else {"managers": [request.membership]}
    )
    form = ProgramForm(
        posted(request), instance=program, organization=request.organization, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        program = services.program_save(
            program=form.save(commit=False),
            topics=form.cleaned_data["topics"],
            managers=form.cleaned_data["managers"],
        )
        if not programs_managed_by(request.membership).filter(pk=program.pk).exists():
            # They took themselves off its managers: it is no longer theirs to open.
            messages.success(
                request,
                _("Program saved. You are not one of its managers, so it has left your list."),
            )
            return redirect("programs:list", org_slug=org_slug)
        messages.success(request, _("Program saved."))
        return redirect("programs:detail", org_slug=org_slug, program_id=program.pk)
    return render(request, "programs/program_form.html", {"form": form, "program": program})


@program_permission_required("program.view")
def program_detail(request, org_slug, program_id):
    program = request.program
    context = {
        "program": program,
        "topics": program_topics(program),
        "managers": Membership.objects.filter(programmanager__program=program).select_related(
            "user"
        ),
        "next_statuses": [Program.Status(s) for s in services.TRANSITIONS.get(program.status, ())],
        "cohorts": program.cohorts.annotate(
            invited=Count("participants"),
            approved=Count("participants", filter=Q(participants__status="approved")),
            waiting=Count("participants", filter=Q(participants__status="applied")),
        ),
        "cohort_form": CohortForm(instance=Cohort(program=program)),
        "training": program.training.all(),
        "resources": program.resources.all(),
        "questions": program.questions.all(),
    }
    return render(request, "programs/program_detail.html", context)


@program_permission_required("program.manage")
def program_copy(request, org_slug, program_id):
    program = request.program
    if request.method != "POST":
        return post_only()
    copied = []
    if not run_reporting(
        request,
        lambda: copied.append(services.program_copy(program=program)),
        _("Copied. This is the new draft; adjust its dates and details."),
    ):
        return redirect("programs:detail", org_slug=org_slug, program_id=program.pk)
    return redirect("programs:edit", org_slug=org_slug, program_id=copied[0].pk)


@program_permission_required("program.manage")
def program_status(request, org_slug, program_id):
    program = request.program
    if request.method != "POST":
        return post_only()
    to = request.POST.get("to", "")
    run_reporting(
        request,
        lambda: services.program_change_status(program=program, to=to),
        _("The program is now %(status)s.") % {"status": dict(Program.Status.choices).get(to, to)},
    )
    return redirect("programs:detail", org_slug=org_slug, program_id=program.pk)


@program_permission_required("program.manage")
def cohort_edit(request, org_slug, program_id, cohort_id=None):
    """Add a cohort to a program (no id) or change one."""
    program = request.program
    cohort = (
        get_object_or_404(Cohort, pk=cohort_id, program=program, organization=request.organization)
        if cohort_id
        else Cohort(organization=request.organization, program=program)
    )
    form = CohortForm(posted(request), instance=cohort)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Cohort “%(name)s” saved.") % {"name": form.instance.name})
        return redirect("programs:detail", org_slug=org_slug, program_id=program.pk)
    return render(
        request, "programs/cohort_form.html", {"form": form, "program": program, "cohort": cohort}
    )


@permission_required("topic.manage")
def topics(request, org_slug):
    form = TopicForm(posted(request))
    if request.method == "POST":
        if request.POST.get("action") == "suggestions":
            added = services.topic_catalogue_add_suggestions(organization=request.organization)
            messages.success(
                request,
                ngettext(
                    "%(count)s suggested topic added.", "%(count)s suggested topics added.", added
                )
                % {"count": added},
            )
            return redirect("programs:topics", org_slug=org_slug)
        form.instance.organization = request.organization
        if form.is_valid():
            form.save()
            messages.success(request, _("Topic added."))
            return redirect("programs:topics", org_slug=org_slug)
    context = {"form": form, "topics": topic_list(organization=request.organization)}
    return render(request, "programs/topics.html", context)


@permission_required("topic.manage")
def topic_edit(request, org_slug, topic_id):
    topic = get_object_or_404(Topic, pk=topic_id, organization=request.organization)
    form = TopicForm(posted(request), instance=topic)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Topic saved."))
        return redirect("programs:topics", org_slug=org_slug)
    return render(request, "programs/topic_form.html", {"form": form, "topic": topic})
