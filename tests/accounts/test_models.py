import pytest
from django.db import IntegrityError

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_new_user_email_is_stored_lower_cased_and_trimmed():
    user = User.objects.create_user(" Ann.Lee@Example.COM ", password="x-long-password")

    assert user.email == "ann.lee@example.com"


def test_user_is_found_by_email_in_any_case():
    User.objects.create_user("ann@example.com", password="x-long-password")

    assert User.objects.get_by_natural_key("ANN@example.com").email == "ann@example.com"


def test_two_users_cannot_share_an_address_in_different_case():
    User.objects.create_user("ann@example.com")
    with pytest.raises(IntegrityError):
        User.objects.create(email="ANN@example.com")


def test_user_without_email_is_refused():
    with pytest.raises(ValueError, match="email address is required"):
        User.objects.create_user("")


def test_superuser_gets_staff_and_superuser_flags():
    user = User.objects.create_superuser("root@example.com", password="x-long-password")

    assert user.is_staff and user.is_superuser


def test_display_name_falls_back_to_email():
    assert User(email="a@example.com").display_name == "a@example.com"
    assert User(email="a@example.com", name="Ann Lee").get_short_name() == "Ann"
