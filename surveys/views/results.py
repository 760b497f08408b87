"""Program managers' view of a survey's results (figures by group, small groups hidden),
its CSV export, and the success stories they curate."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.http import post_only
from organizations.spreadsheet import csv_response
from programs.decorators import program_permission_required
from surveys import stories as story_service
from surveys.models import Story, Survey
from surveys.selectors import sealed_answer_notes, survey_list
from surveys.selectors.results import SurveyResults, shown_groups, survey_results

# Each page names its program, or an object that leads to it.
SURVEY = (Survey, "survey_id")
STORY = (Story, "story_id")


def _survey(request, survey_id) -> Survey:
    """A program's survey of this organisation (library templates have no results)."""
    return get_object_or_404(survey_list(credential=request.membership), pk=survey_id)


def _cohort_id(request) -> int | None:
    try:
        return int(request.GET.get("cohort", ""))
    except ValueError:
        return None


def _results(request, survey) -> SurveyResults:
    return survey_results(survey, organization=request.organization, cohort_id=_cohort_id(request))


@program_permission_required("program.view", via=SURVEY)
def survey_results_page(request, org_slug, survey_id):
    survey = _survey(request, survey_id)
    results = _results(request, survey)
    context = {
        "survey": survey,
        "program": survey.program,
        "results": results,
        "sealed_notes": sealed_answer_notes(survey, now=timezone.now()),
        "query": request.GET.urlencode() if results.cohort_id else "",
    }
    return render(request, "surveys/results/survey.html", context)


def _number(value, digits=1) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _percent(value) -> str:
    return "" if value is None else str(round(value * 100))


@program_permission_required("program.view", via=SURVEY)
def survey_results_export(request, org_slug, survey_id):
    """The aggregates the page shows (with its cohort filter), as published: one row per
    question and group, hidden groups marked "hidden" and empty, never a row per person."""
    survey = _survey(request, survey_id)
    results = _results(request, survey)
    header = [
        "question_number", "question", "type", "breakdown", "group", "status", "answered",
        "response_rate_percent", "mean", "satisfied_percent", "nps", "promoters_percent",
        "detractors_percent", "counts", "topic_means", "texts", "published_on",
    ]  # fmt: skip
    rows = (_results_row(question, cell) for question, cell in shown_groups(results))
    return csv_response(filename=f"survey-{survey.pk}-results.csv", header=header, rows=rows)


# The status of every hidden group, as the API's ``status``: one word for them all, since
# a group hidden so that a small one cannot be worked out is not small itself.
HIDDEN = "hidden"


def _results_row(question, cell) -> list:
    base = [question.number, question.text, question.type, cell.group.dimension, cell.group.label]
    if cell.hidden:
        return [*base, HIDDEN] + [""] * 11
    f = cell.figures
    counts = "; ".join(f"{bar.label}: {bar.count}" for bar in f.bars)
    topics = "; ".join(f"{t.topic}: {HIDDEN if t.hidden else _number(t.mean)}" for t in f.topics)
    return [
        *base, "shown", f.answered,
        _percent(f.response_rate), _number(f.mean), _percent(f.satisfaction),
        "" if f.nps is None else f.nps, _percent(f.promoters), _percent(f.detractors),
        counts, topics, "\n".join(f.texts or []),
        cell.published_on.isoformat() if cell.published_on else "",
    ]  # fmt: skip


@program_permission_required("program.view")
def program_stories(request, org_slug, program_id):
    program = request.program
    featured_only = request.GET.get("featured") == "1"
    every = story_service.program_stories(program)
    context = {
        "program": program,
        "stories": [
            (story, story_service.story_text(story))
            for story in every
            if story.featured or not featured_only
        ],
        "featured_only": featured_only,
        "featured_count": sum(1 for story in every if story.featured),
    }
    return render(request, "surveys/results/stories.html", context)


@program_permission_required("program.manage", via=STORY)
def story_feature(request, org_slug, story_id):
    story = get_object_or_404(Story, pk=story_id, organization=request.organization)
    if request.method != "POST":
        return post_only()
    featured = request.POST.get("featured") == "1"
    story_service.story_feature(story=story, featured=featured)
    messages.success(
        request,
        _("The story is featured.") if featured else _("The story is no longer featured."),
    )
    return redirect("surveys_results:stories", org_slug=org_slug, program_id=story.program_id)
