"""Corrective and preventive actions: opened on their own or escalated with one action from
an NCR or a deviation; the investigation (containment, five whys, fishbone, root cause);
actions with owners, due dates and evidence; verification of implementation and an
effectiveness check, each signed; a skipped check needs a written rationale and a QA
manager's signature. Status changes go through the CAPA workflow."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.validation import validated
from medtrace.org.models import Site
from medtrace.quality.choices import CapaSource, CapaStatus, Effectiveness, FishboneCategory
from medtrace.quality.models import Capa, CapaAction, Deviation, Nonconformance
from medtrace.quality.services.numbering import next_number
from medtrace.quality.workflows import CAPA

INVESTIGATION_FIELDS = (
    "title", "problem_statement", "containment", "five_whys", "fishbone", "root_cause",
    "due_on", "owner", "effectiveness_criteria", "effectiveness_due_on",
)  # fmt: skip
OPEN_STATES = (CapaStatus.OPEN, CapaStatus.IMPLEMENTING, CapaStatus.EFFECTIVENESS_CHECK)


def _refuse(code: ErrorCode, message, field: str | None = None):
    details = {"fields": {field: [str(message)]}} if field else {}
    raise DomainError(code, message, **details)


def _locked(capa: Capa) -> Capa:
    return Capa.objects.select_for_update().get(pk=capa.pk)


def _require(capa: Capa, by, perm: str, states, what) -> None:
    """Refuse unless the CAPA is in one of `states` and `by` holds `perm` at its site."""
    if capa.status not in states:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("%(number)s is %(status)s; %(what)s is not possible now.")
            % {"number": capa.number, "status": capa.get_status_display(), "what": what},
        )
    if not by.has_perm(perm, capa):
        _refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow this on %(number)s.") % {"number": capa.number},
        )


def _clean_investigation(fields: dict) -> dict:
    cleaned = {}
    for name, value in fields.items():
        if name not in INVESTIGATION_FIELDS:
            raise TypeError(f"not an investigation field: {name}")
        if name == "five_whys":
            value = [str(why).strip() for why in value or () if str(why).strip()]
            if len(value) > 10:
                _refuse(ErrorCode.VALIDATION, _("Ten whys at most."), "five_whys")
        elif name == "fishbone":
            value = {
                str(category): [str(cause).strip() for cause in causes if str(cause).strip()]
                for category, causes in (value or {}).items()
            }
            unknown = set(value) - set(FishboneCategory.values)
            if unknown:
                _refuse(
                    ErrorCode.VALIDATION,
                    _("%(categories)s are not fishbone categories (%(allowed)s).")
                    % {
                        "categories": ", ".join(sorted(unknown)),
                        "allowed": ", ".join(FishboneCategory.values),
                    },
                    "fishbone",
                )
            value = {category: causes for category, causes in value.items() if causes}
        elif isinstance(value, str):
            value = value.strip()
        cleaned[name] = value
    return cleaned


@transaction.atomic
def open_capa(
    *,
    site: Site,
    title: str,
    source: str,
    problem_statement: str,
    by,
    nonconformance: Nonconformance | None = None,
    deviation: Deviation | None = None,
    **investigation,
) -> Capa:
    """Open a CAPA; an NCR or deviation source must be at the same site."""
    for linked, label in ((nonconformance, "nonconformance"), (deviation, "deviation")):
        if linked is not None and linked.site_id != site.pk:
            _refuse(
                ErrorCode.VALIDATION,
                _("%(record)s is not at site %(site)s.")
                % {"record": linked.number, "site": site.code},
                label,
            )
    capa = Capa(
        organization_id=site.organization_id,
        site=site,
        number="-",
        title=title.strip(),
        source=source,
        nonconformance=nonconformance,
        deviation=deviation,
        problem_statement=problem_statement.strip(),
        opened_by=by,
        **_clean_investigation(investigation),
    )
    validated(capa)
    capa.number = next_number(site.organization, "CAPA")
    capa.save()
    audit.record(AuditAction.CREATE, capa, by=by, changes=audit.created(capa))
    return capa


def escalate_nonconformance(ncr: Nonconformance, *, by) -> Capa:
    """The NCR's CAPA, with one action: its finding becomes the problem statement."""
    if not by.has_perm("quality.add_capa", ncr):
        _refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow opening a CAPA at %(site)s.") % {"site": ncr.site.code},
        )
    existing = ncr.capas.exclude(status=CapaStatus.CANCELLED).first()
    if existing is not None:
        _refuse(
            ErrorCode.DUPLICATE,
            _("%(ncr)s is already escalated to %(capa)s.")
            % {"ncr": ncr.number, "capa": existing.number},
        )
    statement = f"{ncr.number}: {ncr.title}\n\n{ncr.description}"
    return open_capa(
        site=ncr.site, title=ncr.title, source=CapaSource.NONCONFORMANCE,
        problem_statement=statement, nonconformance=ncr, by=by,
    )  # fmt: skip


def escalate_deviation(deviation: Deviation, *, by) -> Capa:
    if not by.has_perm("quality.add_capa", deviation):
        _refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow opening a CAPA at %(site)s.")
            % {"site": deviation.site.code},
        )
    statement = f"{deviation.number}: {deviation.title}\n\n{deviation.description}"
    return open_capa(
        site=deviation.site, title=deviation.title, source=CapaSource.DEVIATION,
        problem_statement=statement, deviation=deviation, by=by,
    )  # fmt: skip


@transaction.atomic
def update_investigation(capa: Capa, *, by, reason: str = "", **fields) -> Capa:
    """Problem, containment, whys, fishbone, root cause, owner and due dates: while the CAPA
    is open or implementing."""
    capa = _locked(capa)
    _require(
        capa, by, "quality.change_capa", (CapaStatus.OPEN, CapaStatus.IMPLEMENTING),
        _("changing the investigation"),
    )  # fmt: skip
    diff = {}
    for name, value in _clean_investigation(fields).items():
        attname = "owner_id" if name == "owner" else name
        current = getattr(capa, attname)
        new = value.pk if name == "owner" and value is not None else value
        if current != new:
            diff[name] = [current, new]
            setattr(capa, name, value)
    if diff:
        validated(capa)
        capa.save()
        audit.record(AuditAction.CHANGE, capa, by=by, changes=diff, reason=reason)
    return capa


@transaction.atomic
def add_action(capa: Capa, *, kind: str, description: str, owner, due_on: date, by) -> CapaAction:
    capa = _locked(capa)
    _require(
        capa, by, "quality.change_capa", (CapaStatus.OPEN, CapaStatus.IMPLEMENTING),
        _("adding an action"),
    )  # fmt: skip
    if owner.organization_id != capa.organization_id:
        _refuse(ErrorCode.VALIDATION, _("The owner must work in this organization."), "owner")
    action = CapaAction(
        capa=capa, kind=kind, description=description.strip(), owner=owner, due_on=due_on
    )
    validated(action)
    action.save()
    audit.record(
        AuditAction.CHANGE, capa, by=by,
        changes={"action": [None, [kind, action.description, owner.username, due_on]]},
    )  # fmt: skip
    return action


@transaction.atomic
def complete_action(action: CapaAction, *, evidence: str, by) -> CapaAction:
    """An action done, with its evidence (what was changed, where the record is), recorded
    by its owner or by QA."""
    action = CapaAction.objects.select_for_update().select_related("capa").get(pk=action.pk)
    capa = action.capa
    # The action's owner completes it, whatever their roles; QA may record it for them.
    perm = "quality.view_capa" if by.pk == action.owner_id else "quality.change_capa"
    _require(capa, by, perm, (CapaStatus.IMPLEMENTING,), _("completing an action"))
    if action.done_at is not None:
        _refuse(ErrorCode.INVALID_STATE, _("This action is already done."))
    if not evidence.strip():
        _refuse(ErrorCode.VALIDATION, _("Give the evidence that the action was done."), "evidence")
    action.evidence, action.done_at, action.done_by = evidence.strip(), timezone.now(), by
    action.save(update_fields=["evidence", "done_at", "done_by"])
    audit.record(
        AuditAction.CHANGE, capa, by=by,
        changes={"action_done": [None, [action.pk, action.description, action.evidence]]},
    )  # fmt: skip
    return action


def _investigated(capa: Capa) -> None:
    missing = [name for name in ("problem_statement", "root_cause") if not getattr(capa, name)]
    if missing or not capa.actions.exists():
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("State the problem and its root cause and plan at least one action first."),
            fields={name: [str(_("Needed before implementing."))] for name in missing},
        )


def start_implementation(capa: Capa, *, by, reason: str = "") -> Capa:
    return CAPA.take(capa, "start_implementation", by=by, reason=reason, guard=_investigated)


def _actions_done(capa: Capa) -> None:
    open_actions = capa.actions.filter(done_at__isnull=True).count()
    if open_actions:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("%(count)s actions are not done yet.") % {"count": open_actions},
        )
    if not capa.effectiveness_criteria:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("Say how effectiveness will be judged before verifying the implementation."),
            fields={"effectiveness_criteria": [str(_("Needed before verification."))]},
        )


def verify_implementation(capa: Capa, *, by, password: str, reason: str = "") -> Capa:
    """Every action done, verified by signature (meaning verified)."""
    return CAPA.take(
        capa, "verify_implementation", by=by, password=password, reason=reason,
        guard=_actions_done,
    )  # fmt: skip


@transaction.atomic
def record_effectiveness(capa: Capa, *, result: str, note: str, by) -> Capa:
    """The effectiveness check's result against its criteria; a skipped check needs its
    rationale (and a QA manager's signature when the CAPA is closed)."""
    capa = _locked(capa)
    _require(
        capa, by, "quality.change_capa", (CapaStatus.EFFECTIVENESS_CHECK,),
        _("recording the effectiveness check"),
    )  # fmt: skip
    if result not in Effectiveness.values:
        _refuse(ErrorCode.VALIDATION, _("Choose a result of the check."), "effectiveness")
    if not note.strip():
        message = (
            _("Give the rationale for skipping the effectiveness check.")
            if result == Effectiveness.SKIPPED
            else _("Describe what the check found.")
        )
        _refuse(ErrorCode.VALIDATION, message, "effectiveness_note")
    audit.record(
        AuditAction.CHANGE, capa, by=by,
        changes={
            "effectiveness": [capa.effectiveness, result],
            "effectiveness_note": [capa.effectiveness_note, note.strip()],
        },
    )  # fmt: skip
    capa.effectiveness, capa.effectiveness_note = result, note.strip()
    capa.save(update_fields=["effectiveness", "effectiveness_note"])
    return capa


def _effective_or_justified(capa: Capa) -> None:
    if capa.effectiveness not in (Effectiveness.EFFECTIVE, Effectiveness.SKIPPED):
        _refuse(
            ErrorCode.INVALID_STATE,
            _("Close only an effective CAPA, or one whose check was skipped with a rationale; "
              "reopen it when the actions did not work."),
        )  # fmt: skip


def close(capa: Capa, *, by, password: str, reason: str = "") -> Capa:
    """Closure by a QA manager's signature (meaning approved): the actions worked, or the
    check was skipped with the rationale that signature accepts."""

    def closed(locked):
        locked.closed_at = timezone.now()
        return {"closed_at": [None, locked.closed_at]}

    return CAPA.take(
        capa, "close", by=by, password=password, reason=reason,
        guard=_effective_or_justified, effects=closed,
    )  # fmt: skip


def reopen(capa: Capa, *, by, reason: str) -> Capa:
    """Not effective: back to implementing, with the reason; the check's result is cleared."""

    def cleared(locked):
        before = [locked.effectiveness, locked.effectiveness_note]
        locked.effectiveness, locked.effectiveness_note = "", ""
        return {"effectiveness": [before, ["", ""]]}

    return CAPA.take(capa, "reopen", by=by, reason=reason, effects=cleared)


def cancel(capa: Capa, *, by, reason: str) -> Capa:
    return CAPA.take(capa, "cancel", by=by, reason=reason)


def is_overdue(capa: Capa, today) -> bool:
    return capa.status in OPEN_STATES and capa.due_on is not None and capa.due_on < today


def overdue_actions(capa: Capa, today):
    return capa.actions.filter(done_at__isnull=True, due_on__lt=today)
