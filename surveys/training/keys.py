"""The pseudonymous person-course key: the same trainee on the same course, never their email.

Public API:
    person_key(secret, email, course_id) -> str

An HMAC-SHA256 of the normalised email (NFKC, trimmed, case-folded) and the course id under a
server secret: the same person answering for the same course gets the same key, a different
course gives an unrelated one, and without the secret the key cannot be turned back into an
address or checked against a list of addresses.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata


def normalised_email(email: str) -> str:
    return unicodedata.normalize("NFKC", email).strip().casefold()


def person_key(secret: bytes, email: str, course_id: int) -> str:
    """Return the trainee's key for this course (64 hex characters)."""
    if not secret:
        raise ValueError("a person-course key needs a server secret")
    message = f"{course_id}\x1f{normalised_email(email)}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()
