"""The keys that seal anonymous answers: the command that makes them, the deployment
check that they are set, and a key that does not fit."""

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from surveys import sealing
from surveys.checks import check_anonymous_answers_can_be_sealed


@pytest.fixture
def fresh_keys():
    sealing.public_key.cache_clear()
    sealing.private_keys.cache_clear()
    yield
    sealing.public_key.cache_clear()
    sealing.private_keys.cache_clear()


def _pair() -> dict[str, str]:
    out = io.StringIO()
    call_command("survey_seal_keys", stdout=out)
    return dict(
        line.split("=", 1) for line in out.getvalue().splitlines() if not line.startswith("#")
    )


def test_the_command_makes_a_pair_that_seals_and_opens(settings, fresh_keys):
    pair = _pair()
    settings.SURVEY_SEAL_PUBLIC_KEY = pair["SURVEY_SEAL_PUBLIC_KEY"]
    settings.SURVEY_SEAL_PRIVATE_KEYS = [pair["SURVEY_SEAL_PRIVATE_KEY"]]

    sealed, sealed_with = sealing.seal({"answers": {"1": "Zq"}}, size=256)

    assert len(sealed) == 256 + 4 + 48  # the padding, the length, the box's own overhead
    assert sealing.unseal(sealed, sealed_with) == {"answers": {"1": "Zq"}}
    assert _pair() != pair  # a new pair each time


def test_a_rotated_worker_still_opens_answers_sealed_with_the_old_key(settings, fresh_keys):
    old, new = _pair(), _pair()
    settings.SURVEY_SEAL_PUBLIC_KEY = old["SURVEY_SEAL_PUBLIC_KEY"]
    sealed, sealed_with = sealing.seal({"week": "2027-W01"}, size=64)
    sealing.public_key.cache_clear()
    settings.SURVEY_SEAL_PUBLIC_KEY = new["SURVEY_SEAL_PUBLIC_KEY"]
    settings.SURVEY_SEAL_PRIVATE_KEYS = [
        new["SURVEY_SEAL_PRIVATE_KEY"],
        old["SURVEY_SEAL_PRIVATE_KEY"],
    ]

    assert sealing.unseal(sealed, sealed_with) == {"week": "2027-W01"}
    assert sealing.seal({}, size=8)[1] != sealed_with  # new answers use the new key


def test_the_deployment_check_asks_for_the_public_key(settings, fresh_keys):
    settings.SURVEY_SEAL_PUBLIC_KEY = ""

    (error,) = check_anonymous_answers_can_be_sealed()

    assert error.id == "surveys.E001"
    assert "survey_seal_keys" in error.hint


def test_the_deployment_check_refuses_a_key_that_is_not_one(settings, fresh_keys):
    settings.SURVEY_SEAL_PUBLIC_KEY = "not-a-key"

    (error,) = check_anonymous_answers_can_be_sealed()

    assert error.id == "surveys.E002"
    assert "not a base64 key of 32 bytes" in error.msg


def test_the_deployment_check_passes_with_a_key(settings, fresh_keys):
    settings.SURVEY_SEAL_PUBLIC_KEY = _pair()["SURVEY_SEAL_PUBLIC_KEY"]

    assert check_anonymous_answers_can_be_sealed() == []


def test_production_without_a_key_refuses_to_seal_rather_than_keep_answers_plain(
    settings, fresh_keys
):
    settings.SURVEY_SEAL_PUBLIC_KEY = ""
    settings.SURVEY_SEAL_PRIVATE_KEYS = []
    settings.DEBUG = False

    with pytest.raises(ImproperlyConfigured, match="SURVEY_SEAL_PUBLIC_KEY is not set"):
        sealing.seal({}, size=8)


def test_an_answer_longer_than_its_survey_allows_is_refused_not_sealed_longer(fresh_keys):
    with pytest.raises(sealing.SealingError, match="exceeds"):
        sealing.seal({"answers": {"1": "x" * 100}}, size=50)
