"""Demo history for Acme's pilot: a few months of sessions, reflections, notes, goals and
commitments, so that the pair's workspace, the program manager's pair list and the
reminders have something real to show.

Most pairs keep the monthly rhythm (now and then a session is moved or cancelled, mostly
by the senior colleague, and the next one is booked); one pair is behind; a few have gone
quiet (nothing for over two months, nothing booked). The demo logins mentor@ (Priya Nair)
and mentee@ (Tom Becker) are a healthy pair with notes from both, private ones included.
Only people who can sign in write notes: a note belongs to its author's login, and the
rest of the roster has none.

Called by ``demo.organizations.seed_demo`` after the demo matching, inside the
organisation's tenant context. Idempotent: a pilot whose pairs already have sessions is
left alone. Deterministic: each pair's story comes from a seeded random generator (its
dates count back from today).

Moving the pilot into the past. The demo program is created to start in three weeks and
matching publishes the pilot's pairs on the spot, so there is no past to tell. This first
moves the pilot's whole timeline back until its pairs were published ``SHIFT`` (18 weeks)
ago, every interval kept: the program's and the pilot's dates, the pilot's invitations,
applications, decisions and training, its match run and its pairs' publication (raw
updates: the services stamp the moment they run). The pilot thus started about 15 weeks
ago, three weeks after its pairs were published, as planned. The program keeps its nine
months, and so ends in about five and a half; Wave 2, invited last week, now starts in
three weeks (when the program was to start) and still ends with the program.

History goes through the services where they allow it. They do not book, move or cancel
a session in the past (``session_schedule`` refuses past times; ``session_reschedule``
and ``session_cancel`` act on future sessions and measure the notice from now), so a past
booking is written as the row ``session_schedule`` makes, and its moves and cancellations
as the ``SessionChange`` rows those services record; each session that took place is then
logged through ``session_log`` by each of the two, and goals and commitments go through
their services. Upcoming sessions are booked with ``session_schedule``. The moments the
services stamp (when a session was booked and logged, a note written, a goal done) are
then set to when they happened.
"""

import random
from collections import defaultdict
from contextlib import nullcontext
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import F, Max, Q
from django.utils import timezone

from accounts.models import User
from demo.programs import ACME_PROGRAM, TOPIC_PHRASES
from directory.zones import zone_for
from matching.models import MatchRun, Pair
from notifications.models import Notification
from organizations.models import Organization
from organizations.tenancy import tenant_context
from programs.models import (
    Cohort,
    Participant,
    ParticipantTopic,
    Program,
    Topic,
    TrainingCompletion,
)
from sessions.models import Commitment, Goal, MentoringSession, Note, Reflection, SessionChange
from sessions.partner_news import PartnerNotice
from sessions.selectors import default_agendas
from sessions.services import (
    Log,
    Plan,
    commitment_add,
    commitment_set_status,
    goal_add,
    goal_set_status,
    session_log,
    session_schedule,
)

SHIFT = timedelta(weeks=18)  # how long ago the pilot's pairs were published
QUIET_PAIRS = 3
HOURS = [9, 10, 11, 13, 14, 15, 16]
Theme = Commitment.Theme

# Per topic: what a session covered (it reads after "we worked on"), goals for the senior
# colleague, and commitments (theme, text) they might make.
TOPIC_CONTENT = {
    "Generative AI tools": {
        "did": [
            "drafting a project update with an AI assistant, then checking every claim in it",
            "writing prompts that give the assistant context, a role and an example",
            "what must never be pasted into a public AI tool, and why",
            "summarising a long report with AI and comparing the summary with the source",
        ],
        "goals": [
            "Draft my monthly update with the AI assistant and check it line by line",
            "Try three everyday tasks with the company's AI assistant and report back",
        ],
        "commitments": [
            (Theme.TOOL, "Use the company's AI assistant for the first draft of my reports"),
            (Theme.PRACTICE, "Agree with my team which AI tools we use, and for what"),
        ],
    },
    "Social media": {
        "did": [
            "how LinkedIn decides what people see in their feed",
            "writing a short post about the team's work in plain words",
            "how younger colleagues use social media to judge an employer",
            "answering comments without sounding like a press release",
        ],
        "goals": [
            "Publish one post a month about my team's work",
            "Bring my LinkedIn profile up to date and follow the colleagues I work with",
        ],
        "commitments": [
            (Theme.HABIT, "Post once a month about what my team achieved, in my own words"),
            (Theme.HABIT, "Read and react to my team's posts on the internal network each week"),
        ],
    },
    "Data literacy": {
        "did": [
            "building a pivot table from the sales export",
            "reading a dashboard critically: what the chart leaves out",
            "asking a data question precisely enough to get a useful answer",
            "cleaning a messy spreadsheet before trusting it",
        ],
        "goals": [
            "Build my own dashboard of the team's weekly numbers",
            "Answer one of my own questions from the raw data, without the analysts",
        ],
        "commitments": [
            (Theme.TOOL, "Open the team dashboard myself before each weekly meeting"),
            (Theme.PRACTICE, "Ask for the data behind a recommendation before deciding"),
        ],
    },
    "Collaboration tools": {
        "did": [
            "running a meeting on a shared live document instead of slides",
            "using channels and threads so that decisions can be found later",
            "editing a document together instead of emailing versions around",
            "setting status and notifications so that focus time is respected",
        ],
        "goals": [
            "Run one team meeting on a shared document instead of slides",
            "Move my team's weekly updates from email to a channel",
        ],
        "commitments": [
            (Theme.TOOL, "Share documents as links, never as attachments"),
            (Theme.HABIT, "Answer short questions in the team channel instead of by email"),
        ],
    },
    "What younger colleagues expect at work": {
        "did": [
            "what feedback early-career colleagues want, and how often",
            "why flexible hours can matter more than a title",
            "how the first weeks at Acme feel from the junior side",
            "what makes people stay, and what makes them quietly leave",
        ],
        "goals": [
            "Hold a listening session with the early-career people in my department",
            "Rewrite my team's onboarding checklist with a recent joiner",
        ],
        "commitments": [
            (Theme.PRACTICE, "Give feedback in the week it is due, not at the annual review"),
            (Theme.PRACTICE, "Invite a junior colleague to each quarterly planning meeting"),
        ],
    },
    "Inclusive leadership": {
        "did": [
            "who speaks in our meetings and who does not, and why",
            "how hybrid meetings leave the people on the screen out",
            "giving credit by name for junior colleagues' ideas",
            "why the same few people get the visible projects",
        ],
        "goals": [
            "Rotate who chairs my team meeting",
            "Look at who got this year's visible projects, and rebalance",
        ],
        "commitments": [
            (Theme.HABIT, "Ask the quietest person in the room for their view first"),
            (Theme.PRACTICE, "Rotate who presents our work to the leadership team"),
        ],
    },
}
# What the junior colleague learns in return (it reads after "I learned").
SENIOR_CONTEXT = [
    "how budget decisions are really made",
    "what the leadership team worries about this year",
    "how to prepare for a meeting with a director",
    "why some projects get funded and others do not",
    "how to disagree with someone senior without burning bridges",
    "how careers at Acme unfold beyond the next step",
    "how a reorganisation is decided, and why it takes so long",
]
MENTOR_GOALS = [
    "Shadow {name} in a leadership meeting",
    "Present my team's work to {name}'s leadership team",
    "Ask {name} for candid feedback on my career plan",
]
# Commitments any senior colleague might make, whatever the pair's topic.
GENERAL_COMMITMENTS = [
    (Theme.PRACTICE, "Hold a monthly open hour for the early-career people in my area"),
    (Theme.HABIT, "Block an hour a week to try new tools myself"),
    (Theme.PRACTICE, "Have a junior colleague read big announcements before they go out"),
]
# Notes by people who can sign in, in pairs without a story of their own.
SHARED_NOTES = [
    "Next time: {did}.",
    "Thanks for today. Next time: {did}.",
    "Notes from today are in our goals. Next time: {did}.",
]
PRIVATE_NOTES = [
    "Went better than last time. Be more direct next time.",
    "Remember to ask about the reorganisation, carefully.",
    "Felt rushed. Suggest 75 minutes next time.",
]
PLACES = ["the café on the ground floor", "meeting room 3.12", "the fourth-floor kitchen"]


def seed_sessions_demo(organization: Organization) -> None:
    pilot = (
        Cohort.objects.filter(organization=organization, program__name=ACME_PROGRAM, name="Pilot")
        .select_related("program")
        .first()
    )
    if pilot is None:
        return
    pairs = Pair.objects.filter(cohort=pilot, status=Pair.Status.ACTIVE)
    if not pairs.exists() or MentoringSession.objects.filter(pair__cohort=pilot).exists():
        return
    _move_pilot_back(pilot)
    pairs = list(
        pairs.select_related(
            "organization",
            "program",
            "mentor__employee",
            "mentee__employee",
            "mentor__organization",
            "mentee__organization",
        ).order_by("mentee__employee__employee_number")
    )
    history = _History(organization, pilot, pairs)
    rng = random.Random(f"sessions-demo-{organization.slug}")  # noqa: S311 - made-up data
    slug = organization.slug
    logins = {f"mentor@{slug}.example", f"mentee@{slug}.example"}
    demo = [p for p in pairs if {p.mentor.employee.email, p.mentee.employee.email} == logins]
    others = [p for p in pairs if p not in demo]
    rng.shuffle(others)
    for pair in demo:
        history.demo_logins(pair, rng)
    for variant, pair in enumerate(others[:QUIET_PAIRS]):
        history.quiet(pair, rng, variant)
    for pair in others[QUIET_PAIRS : QUIET_PAIRS + 1]:
        history.behind(pair, rng)
    for pair in others[QUIET_PAIRS + 1 :]:
        history.on_track(pair, rng)
    history.stamp(pilot)
    _forget_past_partner_news(pilot)


def _forget_past_partner_news(pilot: Cohort) -> None:
    """The history's logs, goals and commitments were told to each partner months ago,
    and read then: the demo keeps only the notices of sessions still to come (a partner
    booked one), unread, as a person would find them."""
    upcoming = MentoringSession.objects.filter(
        pair__cohort=pilot,
        status=MentoringSession.Status.SCHEDULED,
        starts_at__gt=timezone.now(),
    ).values_list("pk", flat=True)
    past = Notification.objects.filter(organization=pilot.organization, kind__in=PartnerNotice)
    for session_id in upcoming:
        past = past.exclude(
            key__startswith=f"{PartnerNotice.PARTNER_BOOKING}:session:{session_id}:"
        )
    past.delete()


def _move_pilot_back(pilot: Cohort) -> None:
    """The pilot's timeline, moved back in whole days until its pairs were published
    SHIFT ago (raw updates; see the module's docstring)."""
    program = pilot.program
    published = Pair.objects.filter(cohort=pilot).aggregate(at=Max("published_at"))["at"]
    shift = timedelta(days=max((published - (timezone.now() - SHIFT)).days, 0))
    if not shift:
        return  # a database seeded long enough ago
    original_start = program.start_date
    Program.objects.filter(pk=program.pk).update(
        start_date=program.start_date - shift, end_date=program.end_date - shift
    )
    Cohort.objects.filter(pk=pilot.pk).update(
        start_date=pilot.start_date - shift,
        end_date=pilot.end_date - shift,
        matching_started_at=F("matching_started_at") - shift,
    )
    # Later waves start when the program was to start, and end with it.
    Cohort.objects.filter(program=program).exclude(pk=pilot.pk).update(
        start_date=original_start, end_date=program.end_date - shift
    )
    Participant.objects.filter(cohort=pilot).update(
        invited_at=F("invited_at") - shift,
        applied_at=F("applied_at") - shift,
        ground_rules_accepted_at=F("ground_rules_accepted_at") - shift,
        decided_at=F("decided_at") - shift,
    )
    TrainingCompletion.objects.filter(participant__cohort=pilot).update(
        completed_at=F("completed_at") - shift
    )
    MatchRun.objects.filter(cohort=pilot).update(
        created_at=F("created_at") - shift, published_at=F("published_at") - shift
    )
    Pair.objects.filter(cohort=pilot).update(published_at=F("published_at") - shift)
    _date_pair_notices(pilot, shift)
    pilot.refresh_from_db()
    program.refresh_from_db()


def _date_pair_notices(pilot: Cohort, shift: timedelta) -> None:
    """The "you have been paired" notices went out when the pairs were published, and
    were read within a day: four sessions on, nobody still has them waiting."""
    keys = Q()
    for pair_id in Pair.objects.filter(cohort=pilot).values_list("pk", flat=True):
        keys |= Q(key__startswith=f"pair_published:pair:{pair_id}:")
    notices = list(Notification.objects.filter(keys, kind="pair_published"))
    for notice in notices:
        notice.created_at -= shift
        notice.send_after -= shift
        notice.status = Notification.Status.SENT
        notice.sent_at = notice.created_at + timedelta(minutes=2)
        notice.read_at = notice.created_at + timedelta(hours=5)
    Notification.objects.bulk_update(
        notices, ["created_at", "send_after", "status", "sent_at", "read_at"]
    )


class _History:
    """Writes the pilot pairs' past, through the services where they allow it."""

    def __init__(self, organization: Organization, pilot: Cohort, pairs: list[Pair]):
        self.organization = organization
        self.program = pilot.program
        self.now = timezone.now()
        self.kickoff = pilot.start_date
        people = [p for pair in pairs for p in (pair.mentor, pair.mentee)]
        emails = [p.employee.email for p in people]
        self.users = {u.email.lower(): u for u in User.objects.filter(email__in=emails)}
        self.topics = {
            t.pk: t.name for t in Topic.objects.filter(programtopic__program=self.program)
        }
        self.interests = defaultdict(list)  # participant id -> [(kind, level, topic id)]
        interests = ParticipantTopic.objects.filter(participant__in=people).order_by("pk")
        for row in interests.values_list("participant_id", "kind", "level", "topic_id"):
            self.interests[row[0]].append(row[1:])
        self.first_agenda, self.agenda = default_agendas(self.program.pk)
        # When things happened, written at the end in a few queries (the services stamp
        # the moment they run): row id (or session id, participant id) -> field -> moment.
        self.stamps = {model: defaultdict(dict) for model in (MentoringSession, Goal, Commitment)}
        self.reflection_stamps = {}

    # --- The pairs' stories -----------------------------------------------------------
    def on_track(self, pair: Pair, rng: random.Random) -> None:
        """Monthly since the kick-off; now and then a session moved or cancelled (then
        made up); most have the next one booked."""
        story = _Pair(self, pair, rng)
        day = self.kickoff + timedelta(days=rng.randint(-3, 8))
        occasions = []
        while (when := story.at(day)) < self.now - timedelta(days=2):
            occasions.append(when)
            day = story.day(when) + timedelta(days=rng.randint(26, 35))
        for i, when in enumerate(occasions):
            following = occasions[i + 1] if i + 1 < len(occasions) else self.now
            chance = rng.random()
            if i == 0 or chance >= 0.3:
                story.held(story.book(when))
            elif chance < 0.12 and when + timedelta(days=12) < following - timedelta(days=7):
                story.cancel(story.book(when), by=story.senior_mostly(), late=rng.random() < 0.6)
                story.held(
                    story.book(story.at(story.day(when) + timedelta(days=rng.randint(5, 12))))
                )
            else:
                session = story.book(when)
                moved = story.at(story.day(when) + timedelta(days=rng.randint(1, 6)))
                if moved < self.now - timedelta(days=1):
                    story.move(session, moved, by=story.senior_mostly(), late=rng.random() < 0.5)
                story.held(session)
        if rng.random() < 0.85:
            next_day = max(day, self.today + timedelta(days=rng.randint(2, 10)))
            story.book_ahead(story.at(next_day))
        story.goals(done=rng.choice([0, 1, 1, 2]))
        story.commitments(count=rng.choice([0, 1, 1, 2]), done=rng.random() < 0.4)

    def behind(self, pair: Pair, rng: random.Random) -> None:
        """A good start, then a session moved late and cancelled, another cancelled; back
        on since, with the next one booked, but two sessions short."""
        story = _Pair(self, pair, rng, ratings=(3, 4, 4))
        first = story.at(self.kickoff + timedelta(days=rng.randint(0, 6)))
        story.held(story.book(first))
        second = story.book(story.at(story.day(first) + timedelta(days=rng.randint(28, 32))))
        story.move(
            second,
            story.at(story.day(second.starts_at) + timedelta(days=3)),
            by=pair.mentee,
            late=True,
        )
        story.cancel(second, by=pair.mentee, late=True)
        third = story.book(
            story.at(story.day(second.starts_at) + timedelta(days=rng.randint(27, 31)))
        )
        story.cancel(third, by=pair.mentor, late=False)
        story.held(story.book(story.at(self.today - timedelta(days=rng.randint(12, 20)))))
        story.book_ahead(story.at(self.today + timedelta(days=rng.randint(5, 12))), by=pair.mentor)
        story.goals(done=0)
        story.commitments(count=1, done=False)

    def quiet(self, pair: Pair, rng: random.Random, variant: int) -> None:
        """One or two sessions after the kick-off, then cancellations or a no-show, and
        nothing for over two months, nothing booked."""
        story = _Pair(self, pair, rng, ratings=(3, 3, 4))
        first = story.at(self.kickoff + timedelta(days=rng.randint(-3, 2)))
        story.held(story.book(first))
        later = story.day(first) + timedelta(days=rng.randint(26, 30))
        if variant % 3 == 0:  # met twice, then the senior colleague cancelled at short notice
            story.held(story.book(story.at(later)))
            again = story.book(story.at(later + timedelta(days=rng.randint(27, 31))))
            story.cancel(again, by=pair.mentee, late=True)
        elif variant % 3 == 1:  # met once; two cancellations by the senior colleague
            story.cancel(story.book(story.at(later)), by=pair.mentee, late=rng.random() < 0.5)
            again = story.book(story.at(later + timedelta(days=rng.randint(12, 16))))
            story.cancel(again, by=pair.mentee, late=True)
        else:  # met twice; then the senior colleague did not turn up
            story.held(story.book(story.at(later)))
            again = story.book(story.at(later + timedelta(days=rng.randint(27, 31))))
            story.not_held(again, by=pair.mentor)
        story.goals(done=0, count=2)
        if variant % 3 == 0:
            story.commitments(count=1, done=False, dropped=True)

    def demo_logins(self, pair: Pair, rng: random.Random) -> None:
        """Priya and Tom: monthly since the kick-off, one session moved in good time,
        notes from both, the next session booked."""
        story = _Pair(self, pair, rng, ratings=(4, 5, 5), hour=10)
        tom, priya = pair.mentee, pair.mentor
        did = story.did
        story.held(
            story.book(story.at(self.kickoff + timedelta(days=1))),
            minutes=75,
            notes={
                priya: (
                    "Agreed: once a month, an hour, on video unless we are both in the "
                    f"office. Our goals are in the list. Next time: {did[1]}.",
                    "",
                ),
                tom: (
                    "Thank you, Priya: honest and practical, as I hoped. I will bring a "
                    "real piece of my own work next time.",
                    f"I felt slow next to her on {story.phrase}. That is the point of "
                    "this; stop apologising for it.",
                ),
            },
        )
        second = story.book(story.at(self.kickoff + timedelta(days=30)))
        story.move(
            second, story.at(story.day(second.starts_at) + timedelta(days=2)), by=tom, late=False
        )
        story.held(
            second,
            notes={
                tom: (
                    "Sorry for moving us; the board preparation ran over. I have made a "
                    "start on our first goal, and will report next time.",
                    "",
                ),
                priya: (
                    f"Next time: {did[2]}. Bring one real task from your week.",
                    "Told Tom that his team has stopped reading the Friday email. I was "
                    "nervous; he took it well and asked for more of that.",
                ),
            },
        )
        third = story.held(
            story.book(story.at(self.kickoff + timedelta(days=59))),
            notes={
                priya: (
                    f"Good session on {did[2]}. Try it with your team before we meet again.",
                    "",
                ),
                tom: (
                    "The book I mentioned: The Culture Map, by Erin Meyer.",
                    "Ask Priya how the early-career people took the reorganisation "
                    "announcement. Badly, I suspect.",
                ),
            },
        )
        story.held(
            story.book(story.at(self.today - timedelta(days=16))),
            notes={
                priya: (
                    f"You tried it with the team! Next time: {did[0]}.",
                    "Tom offered to introduce me to the head of strategy. Follow up "
                    "before the leadership offsite.",
                ),
                tom: (
                    "For the leadership offsite: we present what the pilot taught us, together.",
                    "",
                ),
            },
        )
        story.book_ahead(story.at(self.today + timedelta(days=6)), by=priya)
        story.goals(done=2, count=2, after=(second, third))
        story.goal(
            f"Shadow {_first_name(tom)} in a budget review",
            owner=priya,
            due=self.kickoff + timedelta(days=90),
            done_after=third,
        )
        story.goal(
            "Present what the pilot taught us at the leadership offsite, together",
            owner=None,
            due=self.today + timedelta(days=45),
        )
        story.commitments(count=2, done=True, keep_order=True)
        practice = "Invite a junior colleague to each quarterly planning meeting"
        if practice in {text for _theme, text in story.content["commitments"]}:
            practice = "Ask a junior colleague to review my all-hands slides before I present"
        story.commitment(Theme.PRACTICE, practice, story.held_sessions[-1])

    def stamp(self, pilot: Cohort) -> None:
        """Sets the moments the services stamped to when they happened."""
        reflections = list(Reflection.objects.filter(session__pair__cohort=pilot))
        for reflection in reflections:
            key = (reflection.session_id, reflection.participant_id)
            reflection.updated_at = self.reflection_stamps[key]
        Reflection.objects.bulk_update(reflections, ["updated_at"], batch_size=200)
        for model, stamps in self.stamps.items():
            rows = list(model.objects.filter(pk__in=stamps))
            for row in rows:
                for field, moment in stamps[row.pk].items():
                    setattr(row, field, moment)
            fields = sorted({field for changes in stamps.values() for field in changes})
            model.objects.bulk_update(rows, fields, batch_size=200)

    @property
    def today(self) -> date:
        return timezone.localdate(self.now, ZoneInfo(self.organization.time_zone))


class _Pair:
    """One pair's story: its time zone, usual hour and place, topics and ratings."""

    def __init__(
        self, history: _History, pair: Pair, rng: random.Random, *, ratings=None, hour=None
    ):
        self.history, self.pair, self.rng = history, pair, rng
        self.organization = history.organization
        self.now = history.now
        self.mentor, self.mentee = pair.mentor, pair.mentee
        self.zone = zone_for(organization=self.mentee.organization, participant=self.mentee)
        self.hour = hour or self._usual_hour()
        self.ratings = ratings or (3, 4, 4, 5, 5)
        self.held_sessions: list[MentoringSession] = []
        self.booked = False
        self.goals_made: list[Goal] = []
        self.topic_ids = self._topic_ids()
        name = history.topics[self.topic_ids[0]]
        self.focus = name
        self.phrase = TOPIC_PHRASES.get(name, name.lower())
        content = TOPIC_CONTENT.get(name, TOPIC_CONTENT["Collaboration tools"])
        self.content = content
        self.did = list(content["did"])
        rng.shuffle(self.did)
        where = self.mentor.employee.location
        if where and where == self.mentee.employee.location and rng.random() < 0.5:
            self.place = {"location": f"{where} office, {rng.choice(PLACES)}"}
        else:
            room = "".join(rng.choice("abcdefghjkmnpqrstuvwxyz") for _ in range(8))
            self.place = {"video_link": f"https://meet.{self.organization.slug}.example/{room}"}

    def _usual_hour(self) -> int:
        """An hour in the mentee's working day that is in the mentor's too, if one is."""
        mentor_zone = zone_for(organization=self.mentor.organization, participant=self.mentor)
        hours = list(HOURS)
        self.rng.shuffle(hours)
        for hour in hours:
            when = datetime.combine(self.history.today, time(hour), tzinfo=self.zone)
            if 8 <= when.astimezone(mentor_zone).hour <= 17:
                return hour
        return hours[0]

    def _topic_ids(self) -> list[int]:
        """What the mentee wants to learn that the mentor can teach first, by level."""
        interests = self.history.interests
        learn = [
            t for k, _l, t in sorted(interests[self.mentee.pk], key=lambda r: -r[1]) if k == "learn"
        ]
        teach = [t for k, _l, t in interests[self.mentor.pk] if k == "teach"]
        ordered = [t for t in learn if t in teach] + learn + teach + list(self.history.topics)
        unique = list(dict.fromkeys(t for t in ordered if t in self.history.topics))
        return unique[:3]

    def senior_mostly(self) -> Participant:
        """Who asked for a move or a cancellation: most often the senior colleague."""
        return self.mentee if self.rng.random() < 0.8 else self.mentor

    def at(self, day: date, hour: int | None = None) -> datetime:
        """A weekday at the pair's usual hour (now and then the next one), their time."""
        while day.weekday() >= 5:
            day += timedelta(days=1)
        hour = hour or self.hour + int(self.rng.random() < 0.2)
        local = datetime.combine(day, time(hour, self.rng.choice([0, 0, 30])), tzinfo=self.zone)
        # In UTC, so that adding hours counts real hours across a change of clocks.
        return local.astimezone(UTC)

    def day(self, when: datetime) -> date:
        """The pair's local date of a moment."""
        return when.astimezone(self.zone).date()

    # --- Sessions ---------------------------------------------------------------------
    def book(self, starts_at: datetime) -> MentoringSession:
        """A past booking, as ``session_schedule`` makes it, made a week or two ahead."""
        booked_at = max(
            starts_at - timedelta(days=self.rng.randint(6, 16), hours=self.rng.randint(0, 8)),
            self.pair.published_at + timedelta(hours=self.rng.randint(2, 30)),
        )
        first = not self.booked
        self.booked = True
        session = MentoringSession.objects.create(
            organization=self.organization,
            pair=self.pair,
            scheduled_by=self.mentor if self.rng.random() < 0.6 else self.mentee,
            starts_at=starts_at,
            duration_minutes=self.pair.program.session_minutes,
            agenda=self.history.first_agenda if first else self.history.agenda,
            **self.place,
        )
        self.history.stamps[MentoringSession][session.pk]["created_at"] = min(booked_at, starts_at)
        return session

    def _change(self, session, kind, by, *, late: bool, new_starts_at=None) -> None:
        """The record ``session_reschedule``/``session_cancel`` leave, at its moment.

        SessionChange is append-only (the application role may not update it), so its
        moment is written with the row: a raw save, as loaddata does, keeps the given
        ``created_at`` where ``auto_now_add`` would stamp now."""
        hours = self.rng.uniform(2, 20) if late else self.rng.uniform(30, 96)
        change = SessionChange(
            organization=self.organization,
            session=session,
            kind=kind,
            requested_by=by,
            requested_by_role=by.role,
            hours_notice=round(hours, 2),
            previous_starts_at=session.starts_at,
            new_starts_at=new_starts_at,
            created_at=session.starts_at - timedelta(hours=hours),
        )
        change.save_base(raw=True, force_insert=True)
        session.sequence += 1

    def move(self, session, new_starts_at, *, by, late: bool) -> None:
        self._change(
            session, SessionChange.Kind.RESCHEDULED, by, late=late, new_starts_at=new_starts_at
        )
        session.starts_at = new_starts_at
        session.save(update_fields=["starts_at", "sequence"])

    def cancel(self, session, *, by, late: bool) -> None:
        self._change(session, SessionChange.Kind.CANCELLED, by, late=late)
        session.status = MentoringSession.Status.CANCELLED
        session.save(update_fields=["status", "sequence"])

    def held(self, session, *, minutes=None, notes=None) -> MentoringSession:
        """Both log it (now and then only one of them does), each with a reflection."""
        rng = self.rng
        first = not self.held_sessions
        topic_ids = [self.topic_ids[len(self.held_sessions) % len(self.topic_ids)]]
        if rng.random() < 0.3 and len(self.topic_ids) > 1:
            topic_ids.append(rng.choice([t for t in self.topic_ids if t not in topic_ids]))
        minutes = minutes or rng.choice([45, 50, 55, 60, 60, 60, 65, 70, 75])
        did = self.did[len(self.held_sessions) % len(self.did)]
        context = rng.choice(SENIOR_CONTEXT)
        mentee_name, mentor_name = _first_name(self.mentee), _first_name(self.mentor)
        if first:
            texts = {
                self.mentor: (
                    f"What {mentee_name} hopes to change, and how the leadership team sees "
                    f"{self.phrase}.",
                    f"How my team uses {self.phrase} day to day.",
                ),
                self.mentee: (
                    f"What {mentor_name} works on, and how far ahead the team already is "
                    f"with {self.phrase}.",
                    "How my role works, and what I hope to change.",
                ),
            }
        else:
            texts = {
                self.mentor: (f"{_sentence(context)}.", f"{_sentence(did)}."),
                self.mentee: (f"{_sentence(did)}.", f"Some context on {context}."),
            }
        people = [self.mentor, self.mentee]
        if rng.random() < 0.4:
            people.reverse()
        if notes is None and rng.random() < 0.1:
            people = people[:1]
        logged_at = session.starts_at + timedelta(minutes=minutes)
        for i, person in enumerate(people):
            hours = rng.randint(0, 4) if i == 0 else rng.randint(1, 24)
            logged_at += timedelta(hours=hours, minutes=rng.randint(5, 59))
            learned, taught = texts[person]
            if notes is not None:
                shared, private = notes.get(person, ("", ""))
            else:
                shared, private = self._own_notes(person)
            log = Log(
                held=True,
                held_minutes=minutes,
                topic_ids=tuple(topic_ids),
                rating=rng.choice(self.ratings),
                learned=learned,
                taught=taught,
                shared_note=shared,
                private_note=private,
            )
            self._log(session, person, log, logged_at)
        self.held_sessions.append(session)
        return session

    def _own_notes(self, person: Participant) -> tuple[str, str]:
        """A line or two from someone with a login (who else has no author to write as)."""
        if person.employee.email.lower() not in self.history.users:
            return "", ""
        following = self.did[(len(self.held_sessions) + 1) % len(self.did)]
        shared = self.rng.choice(SHARED_NOTES).format(did=following)
        private = self.rng.choice(PRIVATE_NOTES) if self.rng.random() < 0.3 else ""
        return shared, private

    def not_held(self, session, *, by) -> None:
        logged_at = session.ends_at + timedelta(hours=self.rng.randint(1, 6))
        self._log(session, by, Log(held=False), logged_at)

    def _log(self, session, person, log: Log, logged_at: datetime) -> None:
        """Through ``session_log``, as the person: their login, if they have one, is the
        author of their notes (and reads their private note back, under PostgreSQL's
        policy, to stamp it with when it was written)."""
        user = self.history.users.get(person.employee.email.lower())
        if user is None:
            log.shared_note = log.private_note = ""
        as_person = (
            tenant_context(organization=self.organization, user=user) if user else nullcontext()
        )
        with as_person:
            session = session_log(pair=self.pair, actor=person, user=user, log=log, session=session)
            if user is not None:
                Note.objects.filter(session=session, author=person).update(created_at=logged_at)
        if log.held:
            self.history.reflection_stamps[session.pk, person.pk] = logged_at
        if session.logged_by_id == person.pk:
            self.history.stamps[MentoringSession][session.pk]["logged_at"] = logged_at

    def book_ahead(self, starts_at: datetime, *, by=None) -> MentoringSession:
        """The next session, booked through the service (its invitations go out on
        commit: seed_demo suppresses them)."""
        if starts_at < self.now + timedelta(hours=12):
            starts_at += timedelta(days=1)
        plan = Plan(
            starts_at=starts_at,
            duration_minutes=self.pair.program.session_minutes,
            agenda=self.history.agenda,
            **self.place,
        )
        by = by or (self.mentor if self.rng.random() < 0.6 else self.mentee)
        return session_schedule(pair=self.pair, actor=by, plan=plan)

    # --- Goals and commitments --------------------------------------------------------
    def goals(self, *, done: int, count: int | None = None, after=None) -> None:
        """Two or three goals agreed at the first session: the senior colleague's from
        the pair's focus, sometimes one for the junior colleague; ``done`` of them done."""
        rng = self.rng
        count = count or rng.choice([2, 3])
        titles = [(t, self.mentee) for t in self.content["goals"]]
        if count > len(titles):
            titles.append(
                (rng.choice(MENTOR_GOALS).format(name=_first_name(self.mentee)), self.mentor)
            )
        sessions = self.held_sessions[1:] or self.held_sessions
        for i, (title, owner) in enumerate(titles[:count]):
            done_after = None
            if i < done and sessions:
                done_after = after[i] if after else rng.choice(sessions)
            self.goal(
                title,
                owner=owner if rng.random() < 0.8 else None,
                due=self.history.kickoff + timedelta(days=rng.choice([60, 90, 120, 180])),
                done_after=done_after,
            )

    def goal(self, title, *, owner, due, done_after=None) -> Goal:
        agreed = self.held_sessions[0].ends_at if self.held_sessions else self.pair.published_at
        goal = goal_add(pair=self.pair, actor=self.mentee, title=title, owner=owner, due_date=due)
        changes = {"created_at": agreed + timedelta(hours=self.rng.randint(1, 6))}
        if done_after is not None:
            goal = goal_set_status(goal=goal, actor=owner or self.mentee, status=Goal.Status.DONE)
            changes["done_at"] = done_after.ends_at + timedelta(hours=self.rng.randint(2, 48))
        self.history.stamps[Goal][goal.pk].update(changes)
        self.goals_made.append(goal)
        return goal

    def commitments(
        self, *, count: int, done: bool, dropped: bool = False, keep_order: bool = False
    ) -> None:
        """What the senior colleague commits to change, after a session; the first may
        be done (or dropped)."""
        options = [*self.content["commitments"], self.rng.choice(GENERAL_COMMITMENTS)]
        if not keep_order:
            self.rng.shuffle(options)
        for i, (theme, text) in enumerate(options[:count]):
            session = self.held_sessions[min(i + 1, len(self.held_sessions) - 1)]
            status = None
            if i == 0 and done:
                status = Commitment.Status.DONE
            elif i == 0 and dropped:
                status = Commitment.Status.DROPPED
            self.commitment(theme, text, session, status=status)

    def commitment(self, theme, text, session, *, status=None) -> Commitment:
        commitment = commitment_add(
            pair=self.pair, actor=self.mentee, text=text, theme=theme, session=session
        )
        made = session.ends_at + timedelta(hours=self.rng.randint(1, 24))
        changed = made
        if status is not None:
            commitment = commitment_set_status(
                commitment=commitment, actor=self.mentee, status=status
            )
            changed = min(made + timedelta(days=self.rng.randint(7, 30)), self.now)
        self.history.stamps[Commitment][commitment.pk].update(created_at=made, updated_at=changed)
        return commitment


def _first_name(person: Participant) -> str:
    return person.employee.name.split()[0]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]
