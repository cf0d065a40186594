"""The impact review of a failed calibration: opened when the failure is verified, with its
window (from the start of the day of the last passing calibration to the end of the day of the
failure, in the site's time zone); from its impact list one action opens a deviation (the lots
in scope are then blocked from release) or an NCR, linked back to the review; QA writes the
impact assessment over the list as it stands and concludes the review by signature (meaning
approved)."""

from datetime import datetime, time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.equipment import calibration_selectors as selectors
from medtrace.equipment.choices import ImpactReviewStatus
from medtrace.equipment.models import CalibrationRecord, ImpactReview
from medtrace.equipment.services import usability
from medtrace.equipment.workflows import IMPACT_REVIEW
from medtrace.quality.choices import DeviationKind, NcrSource, Severity
from medtrace.quality.services import deviation as deviations
from medtrace.quality.services import nonconformance as nonconformances

CHANGE = "equipment.change_impactreview"


def _refuse(code: ErrorCode, message, field: str | None = None):
    details = {"fields": {field: [str(message)]}} if field else {}
    raise DomainError(code, message, **details)


def window_of(
    failed: CalibrationRecord,
) -> tuple[CalibrationRecord | None, datetime | None, datetime]:
    """(the last passing calibration before the failure, the window's start, its end)."""
    equipment = failed.equipment
    zone = usability.zone_of(equipment)
    history = usability.effective_history(equipment)
    order = (failed.performed_on, failed.pk)
    passes = [r for r in history if r.passed and (r.performed_on, r.pk) < order]
    since = passes[-1] if passes else None
    if since is not None:
        start_day = since.performed_on
    elif not any(r.passed for r in history) and equipment.last_calibrated_on:
        start_day = min(equipment.last_calibrated_on, failed.performed_on)  # the ledger's pass
    else:
        start_day = None
    start = datetime.combine(start_day, time.min, tzinfo=zone) if start_day else None
    return since, start, datetime.combine(failed.performed_on, time.max, tzinfo=zone)


def open_review(failed: CalibrationRecord, *, by) -> ImpactReview:
    """Called in the transaction that verifies the failure."""
    since, start, end = window_of(failed)
    review = ImpactReview.objects.create(
        organization_id=failed.organization_id,
        site_id=failed.site_id,
        equipment_id=failed.equipment_id,
        calibration=failed,
        since_calibration=since,
        window_start=start,
        window_end=end,
    )
    audit.record(AuditAction.CREATE, review, by=by, changes=audit.created(review))
    return review


def _locked_open(review: ImpactReview, by, perm: str = CHANGE) -> ImpactReview:
    review = (
        ImpactReview.objects.select_for_update()
        .select_related("equipment", "equipment__site", "calibration", "site")
        .get(pk=review.pk)
    )
    if review.status != ImpactReviewStatus.OPEN:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("The impact review of %(number)s is concluded; it no longer changes.")
            % {"number": review.calibration.number},
        )
    if not by.has_perm(perm, review):
        _refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow changing the impact review of %(number)s.")
            % {"number": review.calibration.number},
        )
    return review


@transaction.atomic
def record_assessment(review: ImpactReview, *, assessment: str, by) -> ImpactReview:
    """The impact assessment, written over the impact list as it stands now (its lots and
    inspections are kept with it; the conclusion signs them)."""
    review = _locked_open(review, by)
    assessment = assessment.strip()
    if not assessment:
        _refuse(ErrorCode.VALIDATION, _("Write the impact assessment."), "assessment")
    impact = selectors.impact_of_review(review)
    before = audit.snapshot(review, ["assessment", "assessed_lots", "assessed_inspections"])
    review.assessment = assessment
    review.assessed_lots = impact.lot_ids
    review.assessed_inspections = impact.inspection_ids
    changes = audit.diff(before, audit.snapshot(review, list(before)))
    if changes:
        review.save(update_fields=["assessment", "assessed_lots", "assessed_inspections"])
        audit.record(AuditAction.CHANGE, review, by=by, changes=changes)
    return review


def _assessed(review: ImpactReview) -> None:
    if not review.assessment:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("Write the impact assessment before concluding."),
            fields={"assessment": [str(_("Needed before concluding."))]},
        )
    impact = selectors.impact_of_review(review)
    if (impact.lot_ids, impact.inspection_ids) != (
        sorted(review.assessed_lots),
        sorted(review.assessed_inspections),
    ):
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("The impact list changed since the assessment was written; review the list and "
              "save the assessment again."),
            fields={"assessment": [str(_("Written over an older list."))]},
        )  # fmt: skip


def conclude(review: ImpactReview, *, by, password: str, reason: str = "") -> ImpactReview:
    """The conclusion, signed (meaning approved) over the assessment and the lots and
    inspections it was written over."""

    def concluded(locked):
        locked.concluded_at = timezone.now()
        return {"concluded_at": [None, locked.concluded_at]}

    return IMPACT_REVIEW.take(
        review, "conclude", by=by, password=password, reason=reason, guard=_assessed,
        effects=concluded,
    )  # fmt: skip


def _not_linked(review: ImpactReview) -> None:
    linked = review.deviation or review.nonconformance
    if linked is not None:
        _refuse(
            ErrorCode.INVALID_STATE,
            _("The impact review of %(number)s already opened %(record)s.")
            % {"number": review.calibration.number, "record": linked.number},
        )


def _description(review: ImpactReview, impact: selectors.ImpactList) -> str:
    zone = usability.zone_of(review.equipment)
    start = (
        timezone.localtime(review.window_start, zone).strftime("%Y-%m-%d %H:%M")
        if review.window_start
        else "…"
    )
    end = timezone.localtime(review.window_end, zone).strftime("%Y-%m-%d %H:%M")
    lots = ", ".join(f"{lot.item.code} {lot.lot_number}" for lot in impact.lots) or "—"
    return str(
        _(
            "Calibration %(number)s of %(code)s on %(date)s found it out of tolerance as found. "
            "From %(start)s to %(end)s (%(zone)s) it was used in %(events)s operations and "
            "%(inspections)s inspections, on %(count)s lots: %(lots)s."
        )
        % {
            "number": review.calibration.number,
            "code": review.equipment.code,
            "date": review.calibration.performed_on,
            "start": start,
            "end": end,
            "zone": review.equipment.site.time_zone,
            "events": len(impact.events),
            "inspections": len(impact.inspections),
            "count": len(impact.lots),
            "lots": lots,
        }
    )


def _title(review: ImpactReview) -> str:
    return str(
        _("%(code)s out of tolerance (%(number)s)")
        % {"code": review.equipment.code, "number": review.calibration.number}
    )


@transaction.atomic
def open_deviation(review: ImpactReview, *, by, title: str = "", description: str = ""):
    """An unplanned deviation over the equipment, the impact list's lots and the window,
    linked to the review (the lots are then blocked from release until it is closed)."""
    review = _locked_open(review, by)
    _not_linked(review)
    if not by.has_perm("quality.add_deviation", review.site):
        _refuse(ErrorCode.PERMISSION_DENIED, _("Your roles do not allow opening a deviation."))
    impact = selectors.impact_of_review(review)
    deviation = deviations.open_deviation(
        site=review.site,
        kind=DeviationKind.UNPLANNED,
        title=title.strip() or _title(review),
        description=description.strip() or _description(review, impact),
        lots=impact.lots,
        equipment=review.equipment,
        operation=str(_("Use of %(code)s") % {"code": review.equipment.code}),
        window_start=review.window_start,
        window_end=review.window_end,
        by=by,
    )
    review.deviation = deviation
    review.save(update_fields=["deviation"])
    audit.record(AuditAction.CHANGE, review, by=by, changes={"deviation": [None, deviation.number]})
    return deviation


@transaction.atomic
def open_nonconformance(
    review: ImpactReview, *, by, severity: str = Severity.MAJOR, title: str = "",
    description: str = "",
):  # fmt: skip
    """An NCR naming the equipment (its state now: out of service), linked to the review. When
    the list holds exactly one lot, the NCR names it and holds it; several lots are listed in
    its description (a deviation scopes several lots)."""
    review = _locked_open(review, by)
    _not_linked(review)
    if not by.has_perm("quality.add_nonconformance", review.site):
        _refuse(ErrorCode.PERMISSION_DENIED, _("Your roles do not allow reporting an NCR."))
    impact = selectors.impact_of_review(review)
    lot = impact.lots[0] if len(impact.lots) == 1 else None
    ncr = nonconformances.open_nonconformance(
        site=review.site,
        title=title.strip() or _title(review),
        description=description.strip() or _description(review, impact),
        source=NcrSource.OTHER,
        severity=severity,
        lot=lot,
        equipment=review.equipment,
        hold=lot is not None,
        by=by,
    )
    review.nonconformance = ncr
    review.save(update_fields=["nonconformance"])
    audit.record(AuditAction.CHANGE, review, by=by, changes={"nonconformance": [None, ncr.number]})
    return ncr
