"""Lot risk signals kept between assessments. Assessing every lot walks the genealogy from every
finding: on a large plant that is too slow for a page. So a background job
(analytics.assess_risk: hourly, after the demo plant is built, and on request from the risk
list) assesses every finding of the organization (risk.findings without a reader) into
LotSignal rows, and the list, its CSV, the API's list and the home tile read them, each reader
seeing only the rows whose record they may read at its site. One lot's own page and panel
assess it live (risk.of_lot), so a record closed since shows there at once."""

from datetime import date

from django.db.models import Q

from medtrace.analytics import stored
from medtrace.analytics.choices import StoredKind
from medtrace.analytics.models import LotSignal, Refresh
from medtrace.analytics.risk import RULES, Finding, LotRisk, findings, lot_risks, propagate
from medtrace.org import access


def assess_all(organization, today: date) -> Refresh:
    """Assess the organization's lots again, replacing the last assessment."""
    computation = stored.Computation()
    counted = propagate(findings(None, today, organization=organization))
    rows = [
        LotSignal(
            organization=organization, lot_id=lot_id, source_id=finding.source_id,
            rule=finding.rule.code, record=finding.record[:60], url=finding.url,
            note=(finding.note or "")[:300], count=finding.count, site_id=finding.site_id,
            perm=finding.rule.perm, weight=weight,
        )
        for lot_id, signals in counted.items()
        for finding, weight, _via in signals.values()
    ]  # fmt: skip
    return stored.replace(organization, StoredKind.LOT_RISKS, LotSignal, rows, computation)


def last_assessment(organization_id: int) -> Refresh | None:
    return stored.last(organization_id, StoredKind.LOT_RISKS)


def _visible(user) -> Q:
    """The rows whose record `user` may read at its site (a supplier's status: everyone)."""
    visible = Q(perm="")
    for perm in sorted({rule.perm for rule in RULES.values() if rule.perm}):
        visible |= Q(perm=perm, site_id__in=access.site_ids_with_perm(user, perm))
    return visible


def stored_risks(user, lots) -> list[LotRisk]:
    """The last assessment's risks of `lots` (already scoped to the reader), as the reader may
    see them, highest score first."""
    # Not narrowed to `lots` here: lot_risks keeps only those, and naming every lot the reader
    # may see in this statement cost SQLite 0.4 s at 100,000 lots.
    rows = LotSignal.objects.filter(organization_id=user.organization_id)
    counted: dict[int, dict[tuple, tuple]] = {}
    for row in rows.filter(_visible(user)).order_by("pk"):
        rule = RULES[row.rule]
        finding = Finding(
            rule, row.source_id, row.record, row.note, row.url, row.site_id, row.count
        )
        via = None if row.source_id == row.lot_id else row.source_id
        counted.setdefault(row.lot_id, {})[(rule.code, row.url)] = (finding, row.weight, via)
    return lot_risks(lots, counted)
