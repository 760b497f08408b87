from django.urls import reverse

from matching.models import Pair
from organizations.emails import absolute_url, send_templated_email

KINDS = ("published", "ended")


def send_pair_email(*, pair: Pair, kind: str) -> None:
    """Each person of the pair hears about it, with a link to their own program page."""
    if kind not in KINDS:
        raise ValueError(kind)
    organization = pair.organization
    for person, partner in ((pair.mentor, pair.mentee), (pair.mentee, pair.mentor)):
        path = reverse(
            "programs:participation",
            kwargs={"org_slug": organization.slug, "participant_id": person.pk},
        )
        context = {
            "kind": kind,
            "pair": pair,
            "person": person,
            "partner": partner,
            "program": pair.program,
            "organization": organization,
            "url": absolute_url(path),
        }
        send_templated_email(
            template="matching/email/pair", context=context, to=[person.employee.email]
        )
