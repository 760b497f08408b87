"""The password hasher every new or changed password is stored with."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id with OWASP's first recommended parameters (Password Storage Cheat Sheet:
    19 MiB of memory, 2 iterations, 1 lane), which RFC 9106 and OWASP rank above PBKDF2:
    memory-hard, so each guess costs an attacker's GPU memory as well as time.

    Why not Django's defaults: PBKDF2-SHA256 at Django 5.2's 1,000,000 iterations takes
    0.82-0.90 s of CPU per sign-in on a 2-core machine, and Django's Argon2 parameters
    (100 MiB, 8 lanes) 0.65-0.95 s, so 30 people signing in together waited 3.2 s for
    the median sign-in (issue 19). These parameters take 0.06-0.11 s there. The algorithm
    name stays "argon2", so a hash made with other parameters is recognised, and Django
    rehashes it with these at its owner's next sign-in (``must_update``).
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
