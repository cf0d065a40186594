"""Periodic audit-trail reviews: QA reads what the trail recorded since the last review,
writes down findings, and signs (audit.signatures). The writes, each in one transaction."""

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction, ReviewConclusion
from medtrace.audit.models import GENESIS_HASH, AuditChain, AuditEntry, AuditReview
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.org import access


def _require(by, perm: str, obj) -> None:
    if not by.has_perm(perm, obj):
        raise DomainError(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles do not allow this (%(perm)s).") % {"perm": perm},
        )


def _check_conclusion(findings: str, conclusion: str) -> None:
    if conclusion not in ReviewConclusion.values:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("Choose a conclusion."),
            fields={"conclusion": [str(conclusion)]},
        )
    if conclusion == ReviewConclusion.FINDINGS_RECORDED and not findings.strip():
        raise DomainError(
            ErrorCode.VALIDATION,
            _("Describe the findings, or conclude “No findings”."),
            fields={"findings": [_("Required when findings are recorded.")]},
        )


def visible_reviews(user):
    """The reviews of the sites where `user` may view reviews (pages and API alike)."""
    return access.scoped(AuditReview.objects.select_related("site", "created_by"), user)


def next_period_start(site) -> int:
    """The first entry a new review at `site` covers: the one after the last review's end."""
    last = AuditReview.objects.filter(site=site).order_by("-reviewed_to").first()
    return last.reviewed_to + 1 if last else 1


def entries_in(organization_id, site, first: int, last: int):
    """The entries of a review period: the site's and those that belong to no site."""
    return AuditEntry.objects.filter(
        chain__organization_id=organization_id, sequence__range=(first, last)
    ).filter(Q(site=site) | Q(site__isnull=True))


def period_times(review: AuditReview) -> tuple:
    """When the first and the last entry of the review's period were recorded (None for one
    that cannot be read)."""
    at = dict(
        AuditEntry.objects.filter(
            chain__organization_id=review.organization_id,
            sequence__in=[review.reviewed_from, review.reviewed_to],
        ).values_list("sequence", "at")
    )
    return at.get(review.reviewed_from), at.get(review.reviewed_to)


@transaction.atomic
def create_review(
    *, site, findings: str, conclusion: str, by, reviewed_from: int | None = None
) -> AuditReview:
    """Open a review of the organization's chain, from `reviewed_from` (default: after the
    site's last review) to the chain head now, whose hash it records."""
    _require(by, "audit.add_auditreview", site)
    findings = findings.strip()
    _check_conclusion(findings, conclusion)
    # The chain's row lock pins the head until this commits.
    head = AuditChain.objects.select_for_update().filter(organization=site.organization).first()
    last_sequence = head.last_sequence if head else 0
    first = next_period_start(site) if reviewed_from is None else reviewed_from
    if first < 1 or first > last_sequence:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("Nothing to review: the audit trail ends at entry #%(last)s.")
            % {"last": last_sequence},
            fields={"reviewed_from": [str(first)]},
        )
    review = AuditReview.objects.create(
        organization=site.organization,
        site=site,
        reviewed_from=first,
        reviewed_to=last_sequence,
        head_hash=head.last_hash if head else GENESIS_HASH,
        entries_reviewed=entries_in(site.organization_id, site, first, last_sequence).count(),
        findings=findings,
        conclusion=conclusion,
        created_by=by,
    )
    audit.record(AuditAction.CREATE, review, by=by, changes=audit.created(review))
    return review


@transaction.atomic
def amend_review(
    review: AuditReview, *, findings: str | None, by, reason: str, conclusion: str | None = None
) -> AuditReview:
    """Correct the findings (and conclusion) of a review; the reason is required and the old
    values stay in the trail. Signatures given before now show as invalid. Findings (or a
    conclusion) of None keep the stored ones."""
    review = AuditReview.objects.select_for_update().get(pk=review.pk)
    _require(by, "audit.change_auditreview", review)
    if not reason.strip():
        raise DomainError(
            ErrorCode.REASON_REQUIRED,
            _("Give the reason for changing %(record)s; it is a quality record.")
            % {"record": review},
            fields={"reason": [_("Required.")]},
        )
    findings = review.findings if findings is None else findings.strip()
    conclusion = conclusion or review.conclusion
    _check_conclusion(findings, conclusion)
    before = audit.snapshot(review)
    review.findings = findings
    review.conclusion = conclusion
    changes = audit.diff(before, review)
    if not changes:
        raise DomainError(ErrorCode.INVALID_STATE, _("Nothing was changed."))
    review.save(update_fields=["findings", "conclusion"])
    audit.record(AuditAction.CHANGE, review, by=by, changes=changes, reason=reason)
    return review
