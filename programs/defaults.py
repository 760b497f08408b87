"""The training, guides and agenda templates a new program starts with. Program
managers edit or remove them; they are a good first draft, not a rule."""

from django.utils.translation import gettext_lazy as _

from programs.models import Audience, Program, Resource

REVERSE = {Program.Direction.REVERSE}
ALL_DIRECTIONS = set(Program.Direction.values)

# directions it suits, title, audience, required before matching, content
TRAINING_MODULES = [
    (
        REVERSE,
        _("How reverse mentoring works"),
        Audience.EVERYONE,
        True,
        _(
            "In reverse mentoring the junior colleague is the mentor and the senior leader "
            "learns. Sessions are confidential, regular and led by the mentee's goals. "
            "Expect six to twelve conversations of about an hour; the program manager is "
            "there if anything gets in the way."
        ),
    ),
    (
        ALL_DIRECTIONS - REVERSE,
        _("How the program works"),
        Audience.EVERYONE,
        True,
        _(
            "Each pair meets regularly and confidentially, led by the goals you agree in the "
            "first session. In a mutual program both of you teach and both learn. The "
            "program manager is there if anything gets in the way."
        ),
    ),
    (
        ALL_DIRECTIONS,
        _("Giving feedback upward"),
        Audience.MENTORS,
        True,
        _(
            "Describe what you saw and its effect, not the person: “In the all-hands, the "
            "slides were read aloud; people in the chat stopped following.” Ask before you "
            "advise, offer one point at a time, and remember you were asked to be candid."
        ),
    ),
    (
        ALL_DIRECTIONS,
        _("Receiving feedback from a junior colleague"),
        Audience.MENTEES,
        True,
        _(
            "Thank first, then ask for an example. Resist explaining why: curiosity keeps "
            "candour coming. Decide later what you will change, and tell your mentor."
        ),
    ),
    (
        ALL_DIRECTIONS,
        _("Active listening"),
        Audience.EVERYONE,
        False,
        _(
            "Listen to understand, not to reply. Reflect back what you heard, ask open "
            "questions, and let silences work."
        ),
    ),
]

# kind, title, content
RESOURCES = [
    (
        Resource.Kind.AGENDA,
        _("First session: getting to know each other and agreeing goals"),
        _(
            "1. Introductions: roles, careers, what each of you hopes for (15 min)\n"
            "2. Read the ground rules together and agree how you will keep them (5 min)\n"
            "3. Agree two or three goals for the program (25 min)\n"
            "4. Agree when and how you will meet, and the next session's topic (15 min)"
        ),
    ),
    (
        Resource.Kind.AGENDA,
        _("A regular session"),
        _(
            "1. What happened since last time; what was tried (10 min)\n"
            "2. Today's topic, hands on where possible (35 min)\n"
            "3. What each of you takes away; one thing to try before next time (15 min)"
        ),
    ),
    (
        Resource.Kind.AGENDA,
        _("Closing session"),
        _(
            "1. Look back at the goals you agreed: what changed (20 min)\n"
            "2. What each of you learned from the other (20 min)\n"
            "3. What you will keep doing, and whether to stay in touch (20 min)"
        ),
    ),
    (
        Resource.Kind.GUIDE,
        _("Giving and receiving feedback across levels"),
        _(
            "Agree in the first session how feedback will be given. The mentor speaks "
            "from observation; the mentee asks for examples and does not defend. Either "
            "of you can pause a topic."
        ),
    ),
    (
        Resource.Kind.GUIDE,
        _("Questions that open a conversation"),
        _(
            "What would you try if you were in my role? What do people your age notice "
            "that we miss? Which tool do you use every day that I have never opened?"
        ),
    ),
]
