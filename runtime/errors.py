"""The errors Alur's verbs raise; each carries the HTTP status the web app answers with.

Kept apart from engine.py so that modules the engine itself imports (runtime/directory.py)
can raise them. engine.py re-exports them: `from runtime.engine import NotFound` works too.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .bpmn_check import Problem


class AlurError(Exception):
    """Base of the errors a verb raises; the message is for the user."""

    status = 400


class DeployRefused(AlurError):
    status = 422

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems if p.severity == "error"))


class NotFound(AlurError):
    status = 404


class Forbidden(AlurError):
    status = 403


class Conflict(AlurError):
    """Someone else changed the instance or task first; reload and try again."""

    status = 409


class ProcessFailed(AlurError):
    """The model itself failed (a condition or script raised or ran too long); the instance is unchanged."""

    status = 422


class InvalidData(AlurError):
    """Form data that is not valid, field by field. `kept`: the files of a refused completion that
    were stored all the same, by form field, so that the form shown again still holds them."""

    status = 422

    def __init__(self, errors: dict[str, str], kept: dict | None = None):
        self.errors = errors
        self.kept = kept or {}
        super().__init__("data tidak sah: " + "; ".join(f"{k}: {v}" for k, v in errors.items()))
