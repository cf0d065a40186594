"""Approval by roles: a record in review needs one "approved" signature from a holder of each
required role at the record's site, and whoever submitted it never approves it. Document
revisions and change requests both work so; each keeps its approvals (round, role,
signature) in its own table and passes them here as `given`."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from medtrace.accounts.roles import Role
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org import access


@dataclass(frozen=True)
class ApprovalState:
    required: list[str]
    given: dict  # {role: the approval row given for it in this round}

    @property
    def outstanding(self) -> list[str]:
        return [role for role in self.required if role not in self.given]

    @property
    def complete(self) -> bool:
        return not self.outstanding


def signing_role(record, state: ApprovalState, *, by, submitted_by_id: int | None) -> str:
    """The outstanding role `by` approves `record` as, or DomainError naming the rule."""
    if submitted_by_id == by.pk:
        raise DomainError(
            ErrorCode.PERMISSION_DENIED,
            _("You submitted %(record)s; someone else must approve it.") % {"record": record},
        )
    held = access.roles_by_site(by).get(access.site_id_of(record), frozenset())
    for role in state.outstanding:
        if role in held:
            return role
    raise DomainError(
        ErrorCode.PERMISSION_DENIED,
        _("%(record)s waits for approval by: %(roles)s. You hold none of these roles.")
        % {
            "record": record,
            "roles": ", ".join(str(Role(role).label) for role in state.outstanding),
        },
    )
