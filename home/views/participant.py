"""A participant's own pages: their places in programs, and one place with its pairs,
suggestions, support circles, training and reading (joining programs, matching and
sessions)."""

from django.shortcuts import get_object_or_404, render

from directory.demographics import employee_for_user
from matching.choice import suggestions
from matching.rematch import open_rematch_request, rematch_refusal
from matching.selectors import pairs_of
from organizations.decorators import permission_required
from programs import training
from programs.models import Resource
from programs.selectors import open_cohorts_for_nomination, participations_of
from sessions.circles import upcoming_circles


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
    return render(request, "home/my_programs.html", context)


@permission_required("program.participate")
def participation(request, org_slug, participant_id):
    """A person's place in a program: where they stand, what happens next, their
    training checklist and the program's reading."""
    participant = get_object_or_404(
        participations_of(organization=request.organization, user=request.user),
        pk=participant_id,
    )
    pairs = list(pairs_of(participant))
    paired_now = any(p.is_live for p in pairs)
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
        "paired_now": paired_now,
        "circles": upcoming_circles(participant),
        "suggestions": [] if paired_now else suggestions(participant),
        "rematch_request": open_rematch_request(participant),
        "can_ask_rematch": rematch_refusal(participant) is None,
    }
    return render(request, "home/participation.html", context)
