"""One signed audit-trail review per plant: QA read the trail since the plant was set up."""

from medtrace.audit import reviews
from medtrace.audit.choices import ReviewConclusion, SignatureMeaning
from medtrace.audit.signatures import sign
from medtrace.demo.plant import DEMO_PASSWORD, DemoPlant
from medtrace.org.choices import SiteKind

# (site, reviewer): each plant's own QA manager where it has one.
REVIEWERS = {"SZ01": "qa", "SZ02": "sz-qa"}


def build_audit_reviews(demo: DemoPlant) -> None:
    for code, site in demo.sites.items():
        if site.kind != SiteKind.PLANT:
            continue
        reviewer = demo.users[REVIEWERS.get(code, "qa")]
        review = reviews.create_review(
            site=site,
            findings="",
            conclusion=ReviewConclusion.NO_FINDINGS,
            by=reviewer,
        )
        sign(
            review,
            SignatureMeaning.REVIEWED,
            by=reviewer,
            password=DEMO_PASSWORD,
            reason="Initial review after the site was set up.",
        )
