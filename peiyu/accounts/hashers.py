"""Password hashes: Argon2id, memory-hard, at the parameters OWASP's Password Storage Cheat Sheet
gives as its baseline (19 MiB of memory, 2 passes, 1 lane). A GPU or ASIC attacker pays for the
memory of every guess, which PBKDF2's iterations do not make them do; on the server one hash costs
tens of milliseconds instead of PBKDF2-SHA256's ~0.5 s at Django's 1,000,000 iterations, so the
morning's logins of a whole district do not queue behind each other.

Hashes stored with PBKDF2 (older installations) still verify and are rewritten as Argon2id at the
user's next successful login (Django's hasher upgrade). The new hash changes the session check of
that user, so their sessions on other devices end once, at that first login after the upgrade."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class PeiyuArgon2Hasher(Argon2PasswordHasher):
    algorithm = "argon2"  # the same encoded form as Django's: any Argon2 hasher can verify it
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
