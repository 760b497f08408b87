"""The password hasher every new or changed password is stored with."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id with OWASP's first recommended parameters (Password Storage Cheat Sheet:
    19 MiB of memory, 2 iterations, 1 lane), which RFC 9106 and OWASP rank above PBKDF2:
    memory-hard, so each guess costs an attacker's GPU memory as well as time.

    Why not Django's defaults: checking a password with PBKDF2-SHA256 at Django 5.2's
    1,000,000 iterations takes 0.21-0.23 s of CPU, and with Django's Argon2 parameters
    (100 MiB, 8 lanes) 0.25-0.26 s, against 0.03-0.04 s with these (2-core machine,
    issue 19); under load the wall clock is four to five times that. A web worker hashing
    is a worker serving nobody else, so 30 people signing in together waited 3.2 s for
    the median sign-in, and every page queued behind them. The algorithm name stays
    "argon2", so a hash made with other parameters is recognised, and Django rehashes it
    with these at its owner's next sign-in (``must_update``).
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
