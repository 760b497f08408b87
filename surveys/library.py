"""The organisation's library of proven survey templates, and copying one into a program."""

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from organizations.models import Organization
from programs.models import Program
from surveys.models import Question, Survey

AGREE, NPS, SINGLE, MULTIPLE, TEXT, SKILLS = (
    Question.Type.AGREEMENT,
    Question.Type.NPS,
    Question.Type.SINGLE,
    Question.Type.MULTIPLE,
    Question.Type.TEXT,
    Question.Type.SKILLS,
)


def _templates():
    """kind, title, intro, anonymous, [(section, type, text, required, choices)]"""
    return [
        (
            Survey.Kind.BASELINE,
            _("Baseline self-assessment"),
            _("Before your first session: where you stand today, so you can see how far you come."),
            False,
            [
                ("", SKILLS, _("How confident are you in each topic today?"), True, []),
                ("", TEXT, _("What would make this program a success for you?"), False, []),
            ],
        ),
        (
            Survey.Kind.PULSE,
            _("Pulse after a session"),
            _("Two questions, thirty seconds."),
            True,
            [
                ("", AGREE, _("The session was worth my time."), True, []),
                ("", TEXT, _("One thing you take away"), False, []),
            ],
        ),
        (
            Survey.Kind.MIDPOINT,
            _("Midpoint check-in"),
            _("Halfway: what works, and what should change."),
            True,
            [
                ("", AGREE, _("We meet as often as we planned."), True, []),
                ("", AGREE, _("I can speak openly with my partner."), True, []),
                ("", AGREE, _("I am learning something I use at work."), True, []),
                (
                    "",
                    SINGLE,
                    _("What gets in the way most?"),
                    False,
                    [_("Finding time"), _("Knowing what to talk about"), _("Nothing")],
                ),
                ("", TEXT, _("What should the program manager know?"), False, []),
            ],
        ),
        (
            Survey.Kind.END,
            _("End of program"),
            _("How it went, what changed, and whether your story may be shared."),
            True,
            [
                (_("Overall"), AGREE, _("Overall, I am satisfied with the program."), True, []),
                (
                    _("Overall"),
                    NPS,
                    _("How likely are you to recommend the program to a colleague?"),
                    True,
                    [],
                ),
                (_("Skills"), SKILLS, _("How confident are you in each topic now?"), True, []),
                (_("What changed"), TEXT, _("What do you do differently since?"), False, []),
                (
                    _("What changed"),
                    MULTIPLE,
                    _("What did the program give you?"),
                    False,
                    [
                        _("New skills"),
                        _("A new view of the organisation"),
                        _("A relationship I value"),
                        _("Confidence"),
                    ],
                ),
                (
                    _("Your story"),
                    TEXT,
                    _("Your story in a few sentences (shared only if you agree below)"),
                    False,
                    [],
                ),
            ],
        ),
        (
            Survey.Kind.FOLLOW_UP,
            _("Six months later"),
            _("What has lasted."),
            True,
            [
                ("", AGREE, _("I still use what I learned in the program."), True, []),
                ("", AGREE, _("I am still in touch with my partner."), True, []),
                ("", TEXT, _("What has lasted?"), False, []),
            ],
        ),
    ]


@transaction.atomic
def library_seed(*, organization: Organization) -> int:
    """Add the library's templates the organisation does not have yet; return how many.

    Written in the organisation's language, whoever asked: the templates are the
    organisation's content from then on, read by everyone in it, and stay as written."""
    with translation.override(organization.locale):
        return _library_seed(organization)


def _library_seed(organization: Organization) -> int:
    have = set(
        Survey.objects.filter(organization=organization, program=None).values_list(
            "kind", flat=True
        )
    )
    added = 0
    for kind, title, intro, anonymous, questions in _templates():
        if kind in have:
            continue
        survey = Survey.objects.create(
            organization=organization, kind=kind, title=title, intro=intro, anonymous=anonymous
        )
        Question.objects.bulk_create(
            Question(
                organization=organization,
                survey=survey,
                section=str(section),
                position=position,
                type=type_,
                text=str(text),
                required=required,
                choices=[str(c) for c in choices],
                story=kind == Survey.Kind.END and type_ == TEXT and position == len(questions) - 1,
            )
            for position, (section, type_, text, required, choices) in enumerate(questions)
        )
        added += 1
    return added


@transaction.atomic
def survey_create_from_template(*, template: Survey, program: Program) -> Survey:
    """A program's own copy of a library template, to adjust and schedule."""
    questions = list(template.questions.all())
    survey = Survey.objects.create(
        organization=program.organization,
        program=program,
        kind=template.kind,
        title=template.title,
        intro=template.intro,
        anonymous=template.anonymous,
        show_free_text=template.show_free_text,
    )
    for question in questions:
        question.pk, question.survey = None, survey
    Question.objects.bulk_create(questions)
    return survey
