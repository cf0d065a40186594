"""Record lifecycles declared once: the states, the transitions between them, who may take
each (a permission at the record's site), whether it needs a reason and an electronic
signature. Services take transitions through `Workflow.take`, which refuses with a message
naming the rule; pages and the API ask `Workflow.allowed` which actions to offer now.

    NCR = Workflow(NcrStatus, [
        Transition("close", _("Close"), sources=["dispositioned"], target="closed",
                   permission="quality.close_nonconformance",
                   signature=SignatureMeaning.APPROVED),
    ])
    NCR.take(ncr, "close", by=user, password=typed, effects=lambda ncr: {...})
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit import signatures
from medtrace.audit.choices import AuditAction, SignatureMeaning
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org import access


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise | str
    sources: tuple[str, ...]
    target: str
    permission: str
    signature: str | None = None  # the SignatureMeaning the signer declares
    needs_reason: bool = False

    def __post_init__(self):
        object.__setattr__(self, "sources", tuple(self.sources))


class Workflow:
    def __init__(
        self,
        states: type[models.TextChoices],
        transitions: Iterable[Transition],
        *,
        field: str = "status",
    ):
        self.states = states
        self.field = field
        self.transitions = {transition.name: transition for transition in transitions}
        for transition in self.transitions.values():
            unknown = {*transition.sources, transition.target} - set(states.values)
            if unknown:
                raise ValueError(f"{transition.name}: states {sorted(unknown)} are not {states}")
            if transition.signature is not None:
                SignatureMeaning(transition.signature)

    def state_of(self, record) -> str:
        return getattr(record, self.field)

    def transition(self, name: str) -> Transition:
        try:
            return self.transitions[name]
        except KeyError:
            raise DomainError(
                ErrorCode.VALIDATION,
                _("“%(action)s” is not an action of this record.") % {"action": name},
                action=name,
            ) from None

    def available(self, record) -> list[Transition]:
        """The transitions the record's state allows, whoever asks."""
        state = self.state_of(record)
        return [t for t in self.transitions.values() if state in t.sources]

    def allowed(self, record, user) -> list[Transition]:
        """The transitions `user` may take on the record now."""
        return [t for t in self.available(record) if access.permits(user, t.permission, record)]

    def check(self, record, name: str, *, by, reason: str = "") -> Transition:
        """The transition, or DomainError naming the rule it breaks: state, permission,
        missing reason. Has no side effects."""
        transition = self.transition(name)
        state = self.state_of(record)
        if state not in transition.sources:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                _("%(record)s is %(state)s; “%(action)s” needs it to be %(allowed)s.")
                % {
                    "record": record,
                    "state": self.states(state).label,
                    "action": transition.label,
                    "allowed": " / ".join(str(self.states(s).label) for s in transition.sources),
                },
                action=name,
                state=state,
            )
        if not access.permits(by, transition.permission, record):
            raise DomainError(
                ErrorCode.PERMISSION_DENIED,
                _("Your roles do not allow “%(action)s” on %(record)s.")
                % {"action": transition.label, "record": record},
                action=name,
            )
        if transition.needs_reason and not reason.strip():
            raise DomainError(
                ErrorCode.REASON_REQUIRED,
                _("Give the reason for “%(action)s”.") % {"action": transition.label},
                fields={"reason": [str(_("This action needs a reason."))]},
            )
        return transition

    def take(
        self,
        record,
        name: str,
        *,
        by,
        password: str | None = None,
        reason: str = "",
        guard: Callable[[models.Model], None] | None = None,
        effects: Callable[[models.Model], dict | None] | None = None,
        signed: Callable[[models.Model], models.Model] | None = None,
    ):
        """Take transition `name` on the record, locked for the purpose: check it and run
        `guard` (raises DomainError when the record is not ready), sign when the transition
        needs a signature, run `effects` (the transition's own writes, on the
        locked record; returns further audited changes), set the new state and audit it, in
        one transaction. A refused signature leaves its SIGN_FAILED entry committed and
        changes nothing else. Returns the record as stored.

        `signed(record)`, when given, writes and returns the record the signature binds to
        instead of the record itself: a long-lived record signed again and again (a supplier
        approved, made conditional, approved again) signs one immutable decision record per
        transition, so that no later change shows an earlier signature as broken. When the
        signature is refused, that record is rolled back and the refusal is recorded on
        the record itself."""
        refusal = None
        with transaction.atomic():
            record = type(record)._base_manager.select_for_update().get(pk=record.pk)
            transition = self.check(record, name, by=by, reason=reason)
            if guard is not None:
                guard(record)
            if transition.signature is not None:
                refusal = _sign(record, transition, by, password or "", reason, signed)
            if refusal is None:
                before = self.state_of(record)
                changes = (effects(record) if effects else None) or {}
                setattr(record, self.field, transition.target)
                record.save()
                audit.record(
                    AuditAction.TRANSITION,
                    record,
                    by=by,
                    changes={self.field: [before, transition.target], **changes},
                    reason=reason,
                )
        if refusal is not None:
            raise refusal
        return record


def _sign(record, transition: Transition, by, password: str, reason: str, signed):
    """Sign for the transition: the record, or the record `signed(record)` writes. Returns the
    refusal (its SIGN_FAILED entry kept), or None."""
    if signed is None:
        try:
            signatures.sign(record, transition.signature, by=by, password=password, reason=reason)
        except DomainError as error:
            return error  # its SIGN_FAILED entry commits with the caller's block
        return None
    point = transaction.savepoint()
    target = signed(record)
    try:
        signatures.sign(target, transition.signature, by=by, password=password, reason=reason)
    except DomainError as error:
        transaction.savepoint_rollback(point)
        return signatures.record_refusal(
            record, transition.signature, by=by, refusal=error, reason=reason
        )
    transaction.savepoint_commit(point)
    return None
