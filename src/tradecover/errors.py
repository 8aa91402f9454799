"""The DomainError family: what a use case refuses, and why, in words a user can act on.

Entry points map each class to one HTTP status and one CLI exit code in a single place
(`tradecover.api.errors`, `tradecover.cli.errors`); services and rules only raise.
"""

from __future__ import annotations


class DomainError(Exception):
    """A use case refused: carries a readable message and, where it applies, the field at fault."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class ValidationError(DomainError):
    """Input that breaks a rule of form or range (HTTP 422, CLI exit 2)."""


class BusinessRuleViolation(DomainError):
    """Valid input that the insurance rules refuse in the current state (HTTP 422)."""


class NotFound(DomainError):
    """The object does not exist or belongs to an organisation the actor has no part in (404)."""


class Conflict(DomainError):
    """The object already exists or was changed concurrently (HTTP 409)."""


class AuthenticationRequired(DomainError):
    """No valid credentials were presented (HTTP 401)."""


class PermissionDenied(DomainError):
    """The actor is known but its roles do not allow the action (HTTP 403)."""
