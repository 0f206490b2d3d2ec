"""The domain's one error vocabulary: not found, invalid, conflict, forbidden.

Domain functions raise these, with a message for people already in the request's language (or the
command line's); `server/errors.py` turns them into an HTML page or a JSON body in one place, and the
command line prints them. API handlers catch none of them; page handlers catch only `Invalid`, to show
the form again with its field errors.
"""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """Something a person asked for cannot be done; `message` says what to do instead."""

    def __init__(self, message: str, *, errors: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        # Field (or file line, or cell) → message, in the order the person will read them.
        self.errors: dict[str, str] = dict(errors or {})


class NotFound(DomainError):
    """The plan, wave, questionnaire, meeting … named does not exist (or is not this person's to see)."""


class Invalid(DomainError):
    """The input breaks a rule. Nothing was stored; `errors` names each field, line or cell."""

    @classmethod
    def fields(cls, errors: Mapping[str, str], message: str | None = None) -> Invalid:
        """An error whose summary is its field messages when no summary is given."""
        return cls(message or "; ".join(errors.values()), errors=errors)


class Conflict(DomainError):
    """The request is well-formed but the stored state refuses it: it exists already, something depends on
    it, the wave is closed, the version has answers …"""


class Forbidden(DomainError):
    """The person is signed in, but their role does not allow this."""
