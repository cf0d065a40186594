"""Periodic audit-trail reviews over the REST API, mounted at /api/v1/audit beside the trail:
list and read them, open one, correct its findings. The writes call the same services as the
review pages (audit.reviews). A review is signed, like on its page, on its own afterwards:
POST /api/v1/signatures/audit.auditreview/{id} with the signer's password; a correction makes
the earlier signatures show as invalid (`signatures[].valid`)."""

from datetime import datetime

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from medtrace.audit import reviews, signatures
from medtrace.audit.choices import ReviewConclusion
from medtrace.audit.models import AuditReview
from medtrace.audit.signature_api import SignatureOut, signature_out
from medtrace.core.api import READ_ERRORS, WRITE_ERRORS, Pages, require_perm
from medtrace.org import access
from medtrace.org.models import Site

router = Router(tags=["audit-trail reviews"])

VIEW = "audit.view_auditreview"
ADD = "audit.add_auditreview"
CHANGE = "audit.change_auditreview"


class AuditReviewOut(Schema):
    id: int
    site: str | None = Field(None, description="Site code")
    reviewed_from: int = Field(..., description="Sequence number of the first entry reviewed")
    reviewed_to: int = Field(..., description="The chain head when the review was opened")
    head_hash: str = Field(..., description="Hash of the chain head the review ends at")
    entries_reviewed: int = Field(..., description="The site's and the site-less entries")
    findings: str
    conclusion: ReviewConclusion
    created_by: str = Field(..., alias="created_by.username", description="Reviewer's username")
    created_at: datetime

    @staticmethod
    def resolve_site(review: AuditReview) -> str | None:
        return review.site.code if review.site_id else None


class AuditReviewDetailOut(AuditReviewOut):
    period_start: datetime | None = Field(None, description="When the first entry was recorded")
    period_end: datetime | None = Field(None, description="When the last entry was recorded")
    signatures: list[SignatureOut] = Field(
        [], description="Oldest first; `valid` is false once the review changed after signing"
    )

    @staticmethod
    def resolve_period_start(review: AuditReview) -> datetime | None:
        return _period(review)[0]

    @staticmethod
    def resolve_period_end(review: AuditReview) -> datetime | None:
        return _period(review)[1]

    @staticmethod
    def resolve_signatures(review: AuditReview) -> list[dict]:
        return [
            signature_out(signature, valid) for signature, valid in signatures.with_validity(review)
        ]


def _period(review: AuditReview) -> tuple:
    if "_period" not in review.__dict__:
        review.__dict__["_period"] = reviews.period_times(review)
    return review.__dict__["_period"]


class AuditReviewIn(Schema):
    site: str = Field(..., description="Site code")
    conclusion: ReviewConclusion
    findings: str = Field("", description="Required when the conclusion is findings_recorded")
    reviewed_from: int | None = Field(
        None,
        ge=1,
        description="First entry reviewed; empty: the one after the site's last review. "
        "The review ends at the newest entry.",
    )


class AuditReviewPatch(Schema):
    """The findings and conclusion to correct; those left out stay as they are."""

    reason: str = Field(..., description="Why; the old values stay in the audit trail with it")
    findings: str | None = None
    conclusion: ReviewConclusion | None = None


class AuditReviewQuery(Schema):
    site: str | None = Field(None, description="Site code")
    conclusion: ReviewConclusion | None = None


def _review_or_404(request, review_id: int) -> AuditReview:
    return access.get_scoped_or_404(
        reviews.visible_reviews(request.user), request.user, pk=review_id
    )


@router.get("/reviews", response={200: list[AuditReviewOut], **READ_ERRORS})
@paginate(Pages)
def list_reviews(request, filters: Query[AuditReviewQuery]):
    """The reviews of the caller's sites, newest first."""
    require_perm(request, VIEW)
    rows = reviews.visible_reviews(request.user)
    if filters.site:
        rows = rows.filter(site__code=filters.site.upper())
    if filters.conclusion:
        rows = rows.filter(conclusion=filters.conclusion)
    return rows


@router.get("/reviews/{int:review_id}", response={200: AuditReviewDetailOut, **READ_ERRORS})
def get_review(request, review_id: int):
    require_perm(request, VIEW)
    return _review_or_404(request, review_id)


@router.post("/reviews", response={201: AuditReviewDetailOut, **WRITE_ERRORS})
def create_review(request, payload: AuditReviewIn):
    """Open a review at a site, from `reviewed_from` to the chain head now (409 when there is
    nothing to review). Sign it afterwards through /signatures."""
    require_perm(request, ADD)
    # A site the caller may see but not review at answers 403; one of no role, 404.
    site = access.get_scoped_or_404(Site.objects.all(), request.user, code=payload.site.upper())
    require_perm(request, ADD, site)
    review = reviews.create_review(
        site=site,
        findings=payload.findings,
        conclusion=payload.conclusion,
        reviewed_from=payload.reviewed_from,
        by=request.user,
    )
    return Status(201, _review_or_404(request, review.pk))


@router.patch("/reviews/{int:review_id}", response={200: AuditReviewDetailOut, **WRITE_ERRORS})
def amend_review(request, review_id: int, payload: AuditReviewPatch):
    """Correct the findings and/or the conclusion; the reason is required (a blank one: 422
    `reason_required`), and a correction that changes nothing is refused (409). Earlier
    signatures then show as invalid: sign the review again."""
    require_perm(request, CHANGE)
    review = _review_or_404(request, review_id)
    require_perm(request, CHANGE, review)
    review = reviews.amend_review(
        review,
        findings=payload.findings,
        conclusion=payload.conclusion,
        by=request.user,
        reason=payload.reason,
    )
    return _review_or_404(request, review.pk)
