"""Which language Upturn speaks to a person: their own choice (their language settings),
else their organisation's, else (before sign-in, outside any organisation) their browser's,
which Django's LocaleMiddleware reads.

Pages, emails, notifications and calendar invitations all ask here, so a person reads
Upturn in one language wherever it reaches them."""

from collections.abc import Iterable
from contextlib import contextmanager

from django.conf import settings
from django.utils import translation

from accounts.models import User, normalize_email
from organizations.models import Membership, Organization

SHIPPED = {code for code, _name in settings.LANGUAGES}


def language_for(*, user, organization: Organization) -> str:
    """``user``'s language in ``organization``: theirs if they chose one, else the
    organisation's."""
    chosen = getattr(user, "language", "")
    return chosen if chosen in SHIPPED else organization.locale


def language_for_addresses(*, organization: Organization, addresses: Iterable[str]) -> str:
    """The language of an email to ``addresses``: the one person's own language when it
    goes to one person who has an account, else the organisation's (an invitation to
    someone who has never signed in)."""
    addresses = [normalize_email(address) for address in addresses]
    if len(addresses) != 1:
        return organization.locale
    chosen = User.objects.filter(email=addresses[0]).values_list("language", flat=True).first()
    return chosen if chosen in SHIPPED else organization.locale


@contextmanager
def speaking_to(member: Membership, organization: Organization):
    """Translate what is written inside for ``member`` of ``organization`` (a
    notification's title and body, made once and read later): in their language, not
    the organisation's."""
    with translation.override(language_for(user=member.user, organization=organization)):
        yield


# Languages that capitalise every noun: a label (a role, a status) keeps its capital
# inside a sentence there ("Ihr Mentor"), where English and French write "your mentor".
CAPITALISED_NOUNS = {"de"}


def in_sentence(label) -> str:
    """A label (``get_role_display()``, a status) as a word inside a sentence, in the
    active language's case."""
    label = str(label)
    language = (translation.get_language() or "en").split("-")[0]
    return label if language in CAPITALISED_NOUNS else label.lower()
