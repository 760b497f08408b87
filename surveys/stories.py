"""Success stories: end-of-program answers given with consent to share, which the program
manager curates. A story is shown as its text alone: never with a name, a cohort, a role
or a date, even where the survey was attributed, and listed in alphabetical order (never
the order the answers came in)."""

from django.db import transaction

from programs.models import Program
from surveys.models import Story


def story_text(story: Story) -> str:
    value = story.answer.value
    return value if isinstance(value, str) else ""


def _alphabetical(stories) -> list[Story]:
    return sorted(stories, key=lambda story: (story_text(story).casefold(), story.pk))


def program_stories(program: Program, *, featured_only: bool = False) -> list[Story]:
    """The program's stories, with their text and survey loaded."""
    stories = Story.objects.filter(program=program).select_related("answer__question__survey")
    return _alphabetical(stories.filter(featured=True) if featured_only else stories)


def featured_stories(organization, *, program: Program | None = None) -> list[Story]:
    """The stories program managers chose to show (for the executive dashboard)."""
    stories = Story.objects.filter(organization=organization, featured=True)
    if program is not None:
        stories = stories.filter(program=program)
    return _alphabetical(stories.select_related("program", "answer"))


@transaction.atomic
def story_feature(*, story: Story, featured: bool) -> Story:
    """Show the story (featured) or stop showing it."""
    story = Story.objects.select_for_update().get(pk=story.pk)
    if story.featured != featured:
        story.featured = featured
        story.save(update_fields=["featured"])
    return story
