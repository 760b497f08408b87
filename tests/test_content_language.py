"""Content Upturn writes for an organisation (the survey template library, a new
program's training modules, guides and agenda templates) is written in the
organisation's language, not in the language of whoever clicked: it is the
organisation's content from then on, read by everyone in it, and stays as written."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from organizations.tenancy import tenant_context
from programs.models import Resource, TrainingModule
from programs.training import program_seed_defaults
from surveys.library import library_seed
from surveys.models import Survey
from tests.programs.factories import ProgramFactory

pytestmark = pytest.mark.django_db


def _in(language: str, text: str) -> str:
    with translation.override(language):
        translated = gettext(text)
    assert translated != text, f"{text!r} has no {language} translation"
    return translated


def test_the_survey_library_is_written_in_the_organisations_language(acme):
    acme.locale = "fr"
    acme.save(update_fields=["locale"])
    with tenant_context(organization=acme), translation.override("de"):  # a German admin
        assert library_seed(organization=acme) > 0
        titles = set(Survey.objects.filter(program=None).values_list("title", flat=True))
    assert _in("fr", "Pulse after a session") in titles
    assert _in("de", "Pulse after a session") not in titles
    assert "Pulse after a session" not in titles


def test_a_new_programs_defaults_are_written_in_the_organisations_language(acme):
    acme.locale = "es"
    acme.save(update_fields=["locale"])
    with tenant_context(organization=acme), translation.override("fr"):  # a French manager
        program = ProgramFactory(organization=acme)
        program_seed_defaults(program=program)
        modules = set(
            TrainingModule.objects.filter(program=program).values_list("title", flat=True)
        )
        guides = set(Resource.objects.filter(program=program).values_list("title", flat=True))
        # The one clicking still reads their own language afterwards.
        assert translation.get_language() == "fr"
    assert _in("es", "How reverse mentoring works") in modules
    assert _in("es", "A regular session") in guides
    assert not {_in("fr", "How reverse mentoring works"), "How reverse mentoring works"} & modules
