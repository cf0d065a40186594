"""May this equipment be used at this moment, and if not, why not: `is_usable` answers with a
verdict naming each rule that refuses it; `require_usable` raises it as a refusal (what
production calls before recording an operation on equipment).

The answer holds for a past moment too. The status then is the one the audit trail's last
status change before that moment left (every status change is audited with its reason and
actor). The calibration then follows from the calibration history: on day d (in the site's
time zone) the equipment was calibrated if a verified passing calibration performed on or
before d is due on or after d, and no verified failing calibration came after that pass up to
d. A record corrected by a verified correction no longer counts; the correction does. Equipment
with no verified calibration record at all counts the ledger's last calibration (registered
or imported before its records were kept here) as its one pass."""

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit.choices import AuditAction
from medtrace.audit.models import AuditEntry
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.equipment.choices import CalibrationStatus, EquipmentStatus, UsabilityRule
from medtrace.equipment.models import CalibrationRecord, Equipment


def zone_of(equipment: Equipment) -> ZoneInfo:
    return ZoneInfo(equipment.site.time_zone)


def site_day(site, at: datetime | None = None) -> date:
    """The calendar day at `site` at `at` (default: now)."""
    return timezone.localtime(at or timezone.now(), ZoneInfo(site.time_zone)).date()


def local_day(equipment: Equipment, at: datetime | None = None) -> date:
    """The calendar day at the equipment's site at `at` (default: now)."""
    return site_day(equipment.site, at)


def _shown(equipment: Equipment, at: datetime) -> str:
    return timezone.localtime(at, zone_of(equipment)).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class CalibrationState:
    """Where the equipment's calibration stood on `day`: `rule` is None when it was
    calibrated; `last_pass_on` / `due_on` come from the last pass that counts (a record, or
    the ledger's last calibration); `failed` is the failing record since that pass."""

    day: date
    rule: str | None = None
    last_pass: CalibrationRecord | None = None
    last_pass_on: date | None = None
    due_on: date | None = None
    failed: CalibrationRecord | None = None

    @property
    def ok(self) -> bool:
        return self.rule is None


def effective_history(equipment: Equipment) -> list[CalibrationRecord]:
    """The verified records that count (none that a verified correction replaced), oldest
    first."""
    return list(
        CalibrationRecord.objects.filter(equipment=equipment, status=CalibrationStatus.VERIFIED)
        .exclude(corrections__status=CalibrationStatus.VERIFIED)
        .order_by("performed_on", "pk")
    )


def calibration_state(
    equipment: Equipment, day: date, history: list[CalibrationRecord] | None = None
) -> CalibrationState:
    history = effective_history(equipment) if history is None else history
    if not history:
        last, due = equipment.last_calibrated_on, equipment.calibration_due_on
        if last is None or last > day:
            return CalibrationState(day, UsabilityRule.NEVER_CALIBRATED)
        rule = UsabilityRule.CALIBRATION_OVERDUE if due is not None and due < day else None
        return CalibrationState(day, rule, last_pass_on=last, due_on=due)
    last_pass = failed = None
    for record in history:
        if record.performed_on > day:
            break
        if record.passed:
            last_pass, failed = record, None
        else:
            failed = record
    due = last_pass.next_due_on if last_pass else None
    last_on = last_pass.performed_on if last_pass else None
    if failed is not None:
        rule = UsabilityRule.CALIBRATION_FAILED
    elif last_pass is None:
        rule = UsabilityRule.NEVER_CALIBRATED
    elif due is None or due < day:
        rule = UsabilityRule.CALIBRATION_OVERDUE
    else:
        rule = None
    return CalibrationState(day, rule, last_pass, last_on, due, failed)


def calibration_message(equipment: Equipment, state: CalibrationState) -> str:
    values = {"code": equipment.code, "day": state.day.isoformat()}
    if state.rule == UsabilityRule.CALIBRATION_FAILED:
        return str(
            _(
                "%(code)s failed calibration %(number)s on %(date)s (out of tolerance as "
                "found) and has not passed a calibration since."
            )
            % {**values, "number": state.failed.number, "date": state.failed.performed_on}
        )
    if state.rule == UsabilityRule.CALIBRATION_OVERDUE:
        return str(
            _("%(code)s: calibration was due on %(due)s; on %(day)s it is overdue.")
            % {**values, "due": state.due_on}
        )
    return str(
        _("%(code)s needs calibration and has none on record on or before %(day)s.") % values
    )


@dataclass(frozen=True)
class Verdict:
    """The answer of is_usable: `reasons` are translated sentences, one per rule that
    refuses the equipment (`rules`, UsabilityRule values, in the same order)."""

    equipment: Equipment
    at: datetime
    usable: bool
    reasons: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    status: str = EquipmentStatus.IN_SERVICE
    calibration: CalibrationState | None = None

    def __bool__(self) -> bool:
        return self.usable


def _last_status_change(equipment: Equipment, at: datetime | None) -> AuditEntry | None:
    entries = AuditEntry.objects.filter(
        object_type=equipment._meta.label_lower,
        object_id=str(equipment.pk),
        action=AuditAction.TRANSITION,
    )
    if at is not None:
        entries = entries.filter(at__lte=at)
    return entries.order_by("-at", "-sequence").first()


def status_at(equipment: Equipment, at: datetime | None = None) -> tuple[str, AuditEntry | None]:
    """(status, the audit entry that set it) at `at`; None: now, as stored."""
    entry = _last_status_change(equipment, at)
    if at is None:
        return equipment.status, entry
    if entry is None:
        return EquipmentStatus.IN_SERVICE, None
    return entry.changes["status"][1], entry


def is_usable(equipment: Equipment, at: datetime | None = None) -> Verdict:
    """Whether `equipment` may be used at `at` (default: now): not retired, in service, and,
    when it needs calibration, calibrated then (see the module's docstring)."""
    equipment = Equipment.objects.select_related("site").get(pk=equipment.pk)  # as stored now
    now = timezone.now()
    current = at is None or at >= now
    at = now if at is None else at
    reasons, rules = [], []

    def refuse(rule, message):
        rules.append(str(rule))
        reasons.append(str(message))

    status, entry = status_at(equipment, None if current else at)
    since = {
        "code": equipment.code,
        "when": _shown(equipment, entry.at) if entry else "—",
        "reason": (entry.reason if entry else "") or "—",
        "who": (entry.actor_name if entry else "") or _("the system"),
    }
    if status == EquipmentStatus.RETIRED:
        refuse(
            UsabilityRule.RETIRED, _("%(code)s is retired (%(when)s, %(who)s): %(reason)s") % since
        )
        return Verdict(equipment, at, False, reasons, rules, status=status)
    if status == EquipmentStatus.OUT_OF_SERVICE:
        refuse(
            UsabilityRule.OUT_OF_SERVICE,
            _("%(code)s is out of service since %(when)s (%(who)s): %(reason)s") % since,
        )
    state = None
    if equipment.calibration_required:
        state = calibration_state(equipment, local_day(equipment, at))
        if not state.ok:
            refuse(state.rule, calibration_message(equipment, state))
    return Verdict(equipment, at, not rules, reasons, rules, status=status, calibration=state)


def require_usable(equipment: Equipment, at: datetime | None = None) -> Verdict:
    """The verdict when the equipment is usable; else a refusal (INVALID_STATE) naming every
    rule, with the reasons under `fields["equipment"]` and the rule codes under `rules`."""
    verdict = is_usable(equipment, at)
    if not verdict.usable:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("%(code)s may not be used: %(reasons)s")
            % {"code": equipment.code, "reasons": " ".join(verdict.reasons)},
            fields={"equipment": verdict.reasons},
            equipment=equipment.code,
            rules=verdict.rules,
        )
    return verdict
