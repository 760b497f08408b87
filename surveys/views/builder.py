"""The survey builder, for program managers: a program's surveys and the organisation's
library of templates, the editor (settings, questions, schedules) and the preview.

Library templates (no program) are read-only here: a program adjusts its own copy."""

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organizations.http import post_only, posted, run_reporting
from programs.decorators import program_permission_required
from programs.selectors import program_topics
from surveys import builder, services
from surveys.forms import QuestionForm, ScheduleForm, SurveyForm
from surveys.library import library_seed, survey_create_from_template
from surveys.models import Question, Schedule, Survey

# The editor's pages name a survey, and so its program (none for a library template).
SURVEY = (Survey, "survey_id")


def _survey(request, survey_id) -> Survey:
    return get_object_or_404(
        Survey.objects.select_related("program"), pk=survey_id, organization=request.organization
    )


def _question(request, survey, survey_question_id) -> Question:
    return get_object_or_404(
        Question, pk=survey_question_id, survey=survey, organization=request.organization
    )


def _to_editor(request, survey):
    return redirect(
        "surveys_builder:survey", org_slug=request.organization.slug, survey_id=survey.pk
    )


def _read_only(request, survey):
    messages.error(
        request, _("Library templates stay as they are: use one in a program to adjust it.")
    )
    return _to_editor(request, survey)


def _when(schedule: Schedule) -> str:
    if schedule.anchor == Schedule.Anchor.EACH_SESSION:
        return _("After each logged session")
    days = abs(schedule.offset_days)
    start = schedule.anchor == Schedule.Anchor.COHORT_START
    if schedule.offset_days == 0:
        return _("When the cohort starts") if start else _("When the cohort ends")
    if schedule.offset_days > 0:
        text = (
            ngettext(
                "%(n)s day after the cohort starts", "%(n)s days after the cohort starts", days
            )
            if start
            else ngettext(
                "%(n)s day after the cohort ends", "%(n)s days after the cohort ends", days
            )
        )
    else:
        text = (
            ngettext(
                "%(n)s day before the cohort starts", "%(n)s days before the cohort starts", days
            )
            if start
            else ngettext(
                "%(n)s day before the cohort ends", "%(n)s days before the cohort ends", days
            )
        )
    return text % {"n": days}


def _schedules(survey: Survey) -> list[Schedule]:
    """The survey's schedules with how many were asked and how many answered: counted on
    the assignments, which know *that* someone answered and never what."""
    schedules = list(
        survey.schedules.select_related("cohort").annotate(
            asked=Count("assignments"),
            answered=Count("assignments", filter=Q(assignments__answered=True)),
        )
    )
    for schedule in schedules:
        schedule.when = _when(schedule)
    return schedules


def _editor(request, survey, *, survey_form=None, question_form=None, schedule_form=None):
    """The editor page, with whichever form was just posted bound to its errors."""
    questions = list(survey.questions.all())
    context = {
        "survey": survey,
        "program": survey.program,
        "questions": questions,
        "sections": sorted({q.section for q in questions if q.section}),
        "has_skills": any(q.type == Question.Type.SKILLS for q in questions),
    }
    if survey.program_id:
        context.update(
            survey_form=survey_form or SurveyForm(instance=survey),
            question_form=question_form or QuestionForm(instance=Question(survey=survey)),
            schedule_form=schedule_form or ScheduleForm(survey=survey),
            schedules=_schedules(survey),
            has_cohorts=survey.program.cohorts.exists(),
            topics=list(program_topics(survey.program)),
        )
    return render(request, "surveys/builder/survey.html", context)


# --- A program's surveys and the library --------------------------------------------------


@program_permission_required("program.view")
def program_surveys(request, org_slug, program_id):
    program = request.program
    counted = Survey.objects.filter(organization=request.organization).annotate(
        question_count=Count("questions", distinct=True),
        schedule_count=Count("schedules", distinct=True),
    )
    context = {
        "program": program,
        "surveys": counted.filter(program=program).prefetch_related("schedules__cohort"),
        "library": counted.filter(program__isnull=True).order_by("created_at", "pk"),
    }
    return render(request, "surveys/builder/program.html", context)


@program_permission_required("program.manage")
def library_add(request, org_slug, program_id):
    program = request.program
    if request.method != "POST":
        return post_only()
    added = library_seed(organization=request.organization)
    if added:
        messages.success(
            request,
            ngettext("%(n)s template added.", "%(n)s templates added.", added) % {"n": added},
        )
    else:
        messages.info(request, _("The library already has every template."))
    return redirect("surveys_builder:program", org_slug=org_slug, program_id=program.pk)


@program_permission_required("program.manage")
def template_use(request, org_slug, program_id, survey_id):
    program = request.program
    template = get_object_or_404(
        Survey, pk=survey_id, organization=request.organization, program__isnull=True
    )
    if request.method != "POST":
        return post_only()
    survey = survey_create_from_template(template=template, program=program)
    messages.success(
        request,
        _("“%(title)s” is now this program's: adjust it, then send it.") % {"title": survey},
    )
    return _to_editor(request, survey)


@program_permission_required("program.manage")
def survey_new(request, org_slug, program_id):
    program = request.program
    form = SurveyForm(
        posted(request), instance=Survey(organization=request.organization, program=program)
    )
    if request.method == "POST" and form.is_valid():
        survey = form.save()
        messages.success(request, _("Survey created. Add its questions."))
        return _to_editor(request, survey)
    return render(request, "surveys/builder/survey_new.html", {"program": program, "form": form})


# --- The editor ----------------------------------------------------------------------------


@program_permission_required("program.view", via=SURVEY)
def survey_detail(request, org_slug, survey_id):
    return _editor(request, _survey(request, survey_id))


@program_permission_required("program.manage", via=SURVEY)
def survey_settings(request, org_slug, survey_id):
    survey = _survey(request, survey_id)
    if request.method != "POST":
        return post_only()
    if not survey.program_id:
        return _read_only(request, survey)
    form = SurveyForm(request.POST, instance=survey)
    if not form.is_valid():
        # The form has written its cleaned values onto ``survey``: show the stored one.
        return _editor(request, _survey(request, survey_id), survey_form=form)
    form.save()
    messages.success(request, _("Survey saved."))
    return _to_editor(request, survey)


@program_permission_required("program.manage", via=SURVEY)
def question_new(request, org_slug, survey_id):
    survey = _survey(request, survey_id)
    if not survey.program_id:
        return _read_only(request, survey)
    form = QuestionForm(
        posted(request), instance=Question(organization=request.organization, survey=survey)
    )
    if request.method == "POST" and form.is_valid():
        builder.question_place(question=form.save(commit=False))
        messages.success(request, _("Question added."))
        return _to_editor(request, survey)
    return _question_page(request, survey, form)


@program_permission_required("program.manage", via=SURVEY)
def question_edit(request, org_slug, survey_id, survey_question_id):
    survey = _survey(request, survey_id)
    question = _question(request, survey, survey_question_id)
    if not survey.program_id:
        return _read_only(request, survey)
    if request.method == "POST" and request.POST.get("action") == "delete":
        # Answers hang off their question: removing it would quietly drop them.
        if question.answers.exists():
            messages.error(
                request, _("People have answered this question: it stays, to keep their answers.")
            )
            return redirect(request.path)
        builder.question_delete(question=question)
        messages.success(request, _("Removed “%(question)s”.") % {"question": question})
        return _to_editor(request, survey)
    form = QuestionForm(posted(request), instance=question)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Question saved."))
        return _to_editor(request, survey)
    return _question_page(request, survey, form)


def _question_page(request, survey, form):
    sections = sorted(set(survey.questions.exclude(section="").values_list("section", flat=True)))
    context = {"survey": survey, "program": survey.program, "form": form, "sections": sections}
    return render(request, "surveys/builder/question_form.html", context)


@program_permission_required("program.manage", via=SURVEY)
def question_move(request, org_slug, survey_id, survey_question_id):
    survey = _survey(request, survey_id)
    question = _question(request, survey, survey_question_id)
    if request.method != "POST":
        return post_only()
    if not survey.program_id:
        return _read_only(request, survey)
    builder.question_move(
        question=question, step=-1 if request.POST.get("direction") == "up" else 1
    )
    return _to_editor(request, survey)


# --- Sending --------------------------------------------------------------------------------


@program_permission_required("program.manage", via=SURVEY)
def schedule_new(request, org_slug, survey_id):
    survey = _survey(request, survey_id)
    if request.method != "POST":
        return post_only()
    if not survey.program_id:
        return _read_only(request, survey)
    form = ScheduleForm(request.POST, survey=survey)
    if not form.is_valid():
        return _editor(request, survey, schedule_form=form)
    data = form.cleaned_data
    run_reporting(
        request,
        lambda: services.schedule_create(
            survey=survey,
            cohort=data["cohort"],
            anchor=data["anchor"],
            offset_days=data["offset_days"],
            audience=data["audience"],
            open_days=data["open_days"],
            actor=request.membership,
        ),
        _("Scheduled for %(cohort)s.") % {"cohort": data["cohort"].name},
    )
    return _to_editor(request, survey)


@program_permission_required("program.manage", via=SURVEY)
def schedule_delete(request, org_slug, survey_id, schedule_id):
    survey = _survey(request, survey_id)
    schedule = get_object_or_404(
        Schedule, pk=schedule_id, survey=survey, organization=request.organization
    )
    if request.method != "POST":
        return post_only()
    if builder.schedule_delete(schedule=schedule):
        messages.success(request, _("Schedule removed; nobody will be asked by it."))
    else:
        messages.error(
            request, _("People have answered on this schedule: it stays, to keep their answers.")
        )
    return _to_editor(request, survey)


# --- Preview --------------------------------------------------------------------------------


@program_permission_required("program.view", via=SURVEY)
def survey_preview(request, org_slug, survey_id):
    survey = _survey(request, survey_id)
    context = {
        "survey": survey,
        "program": survey.program,
        "questions": list(survey.questions.all()),
        "topics": list(program_topics(survey.program)) if survey.program_id else [],
        "agreement_scale": range(1, 6),
        "nps_scale": range(0, 11),
        "skill_levels": range(1, 6),
    }
    return render(request, "surveys/builder/preview.html", context)
