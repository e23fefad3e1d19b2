"""Writes of the governance app: one function per business action (keyword-only, atomic), raising
ClefopError with a French message. Split by subject: memberships, invitations, meetings, documents."""

from srefop_portal.common.forms import DomainError


class ClefopError(DomainError):
    """A business rule refused the action; the message is shown to the person."""
