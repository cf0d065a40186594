"""Audit-trail review pages: list, open a review, read and sign it, correct its findings."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from medtrace.audit import reviews, signatures
from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.audit.review_forms import AmendReviewForm, ReviewForm
from medtrace.core.decorators import perm_required
from medtrace.core.errors import DomainError
from medtrace.core.forms import show_domain_error
from medtrace.core.paging import paginate
from medtrace.core.pdf import pdf_response, render_pdf
from medtrace.org import access
from medtrace.org.models import Site

VIEW = "audit.view_auditreview"
ADD = "audit.add_auditreview"
CHANGE = "audit.change_auditreview"


def _reviews(user):
    return reviews.visible_reviews(user)


@perm_required(VIEW)
def review_list(request):
    rows = _reviews(request.user)
    if request.site:
        rows = rows.filter(site=request.site)
    return render(
        request,
        "audit/review_list.html",
        {"page": paginate(request, rows), "can_add": request.user.has_perm(ADD)},
    )


@perm_required(ADD)
def review_create(request):
    sites = Site.objects.filter(pk__in=access.site_ids_with_perm(request.user, ADD)).order_by(
        "code"
    )
    initial = {"site": request.site} if request.site else {}
    form = ReviewForm(request.POST or None, sites=sites, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = reviews.create_review(
                site=data["site"],
                findings=data["findings"],
                conclusion=data["conclusion"],
                reviewed_from=data["reviewed_from"],
                by=request.user,
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Review opened. Sign it when you have finished."))
            return redirect(review)
    return render(request, "audit/review_form.html", {"form": form})


def _detail(request, review, amend_form=None):
    period_start, period_end = reviews.period_times(review)
    can_change = request.user.has_perm(CHANGE, review)
    if amend_form is None and can_change:
        amend_form = AmendReviewForm(
            initial={"findings": review.findings, "conclusion": review.conclusion}
        )
    context = {
        "review": review,
        "period_start": period_start,
        "period_end": period_end,
        "amend_form": amend_form if can_change else None,
        "signed": signatures.signatures_of(review).exists(),
    }
    return render(request, "audit/review_detail.html", context)


@perm_required(VIEW)
def review_detail(request, pk):
    return _detail(request, access.get_scoped_or_404(_reviews(request.user), request.user, pk=pk))


@perm_required(VIEW)
def review_pdf(request, pk):
    """The review as a PDF, with its signatures' manifestation; printing it is recorded."""
    review = access.get_scoped_or_404(_reviews(request.user), request.user, pk=pk)
    pdf = render_pdf(
        "audit/review_pdf.html",
        {"review": review, "organization": review.organization, "printed_at": timezone.now()},
        request=request,
    )
    audit.record(
        AuditAction.EXPORT, review, by=request.user, changes={"format": "pdf", "bytes": len(pdf)}
    )
    return pdf_response(pdf, f"audit-trail-review-{review.pk}.pdf")


@require_POST
@perm_required(CHANGE)
def review_amend(request, pk):
    review = access.get_scoped_or_404(_reviews(request.user), request.user, pk=pk)
    if not request.user.has_perm(CHANGE, review):
        raise PermissionDenied
    form = AmendReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            review = reviews.amend_review(
                review,
                findings=data["findings"],
                conclusion=data["conclusion"],
                by=request.user,
                reason=data["reason"],
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            if signatures.signatures_of(review).exists():
                messages.warning(
                    request,
                    _("Review corrected. Its earlier signatures no longer match; sign it again."),
                )
            else:
                messages.success(request, _("Review corrected."))
            return redirect(review)
    return _detail(request, review, amend_form=form)
