"""The templates documents are generated from, declared once: each names its title, the
markets it is written for, what it is about (nothing, an SOP topic, or a quality record the
reader may see), who may generate it, the controlled-document type it may be taken in as,
and the function that gathers its live data into content (generation.content).

    template = registry.get("capa-report")
    template.subject.find(user, "42")      # the CAPA if the user may see it, else None

Tests and later apps add templates with `register()`."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from medtrace.documents.choices import DocumentType, Market
from medtrace.documents.generation.content import Content, Heading

ALL_MARKETS = (Market.NMPA, Market.FDA, Market.EU)


@dataclass(frozen=True)
class SubjectKind:
    """What a template is about. `find(user, subject_id)` answers the subject if it exists
    and `user` may see it, else None; `choices(user)` lists what the user may pick;
    `view_perm` is what a reader needs (at the generation's site) to see a document
    generated about such a subject; `site_of` the site owning a subject, if any."""

    key: str
    label: Any
    subject_type: str
    find: Callable[[Any, str], Any]
    choices: Callable[[Any], list[tuple[str, str]]]
    view_perm: str | None = None
    # A site-owned record: the document about it is filed at the record's site.
    site_owned: bool = False
    site_of: Callable[[Any], Any] = lambda subject: getattr(subject, "site", None)
    id_of: Callable[[Any], str] = lambda subject: str(subject.pk)
    describe: Callable[[Any], str] = str


@dataclass(frozen=True)
class Generation:
    """What a builder gets: the template, the market and language, the site and organization
    the document is generated for, who generates it, the subject and the moment."""

    template: "DocumentTemplate"
    market: str
    language: str
    site: Any
    organization: Any
    by: Any
    subject: Any
    now: Any


@dataclass(frozen=True)
class DocumentTemplate:
    key: str
    title: Heading
    description: Any
    build: Callable[[Generation], Content]
    pdf_template: str
    markets: tuple[str, ...] = ALL_MARKETS
    subject: SubjectKind | None = None
    # Needed at the generation's site; without it, seeing the subject is enough.
    permission: str | None = None
    # The controlled-document type a generated copy may become the first draft of.
    document_type: str | None = None

    @property
    def takes_subject(self) -> bool:
        return self.subject is not None


_registry: dict[str, DocumentTemplate] = {}


def register(template: DocumentTemplate) -> DocumentTemplate:
    _registry[template.key] = template
    return template


def unregister(key: str) -> None:
    _registry.pop(key, None)


def get(key: str) -> DocumentTemplate | None:
    _load()
    return _registry.get(key)


def templates() -> list[DocumentTemplate]:
    _load()
    return list(_registry.values())


def choices() -> list[tuple[str, str]]:
    from django.utils.translation import get_language

    language = "zh-hans" if (get_language() or "").startswith("zh") else "en"
    return [(template.key, template.title.pick(language)) for template in templates()]


_loaded = False


def _load() -> None:
    """Register the built-in templates on first use (their builders import the apps' models)."""
    global _loaded
    if _loaded:
        return
    from medtrace.documents.generation import subjects
    from medtrace.documents.generation.quality_manual import build_quality_manual
    from medtrace.documents.generation.reports import (
        build_capa_report,
        build_ncr_report,
        build_supplier_audit_report,
    )
    from medtrace.documents.generation.sop import build_sop_skeleton

    add = "documents.add_controlleddocument"
    for template in (
        DocumentTemplate(
            key="quality-manual",
            title=Heading("质量手册", "Quality Manual"),
            description=_(
                "The organization's quality manual: scope, quality policy, process map, "
                "responsibilities, the effective procedures and how they map to ISO 13485."
            ),
            build=build_quality_manual,
            pdf_template="documents/generated/pdf/quality_manual.html",
            permission=add,
            document_type=DocumentType.QUALITY_MANUAL,
        ),
        DocumentTemplate(
            key="sop-skeleton",
            title=Heading("程序文件框架", "SOP skeleton"),
            description=_(
                "The skeleton of a standard operating procedure for a topic: purpose, scope, "
                "responsibilities, definitions, steps, records and references."
            ),
            build=build_sop_skeleton,
            pdf_template="documents/generated/pdf/sop_skeleton.html",
            subject=subjects.SOP_TOPIC,
            permission=add,
            document_type=DocumentType.PROCEDURE,
        ),
        DocumentTemplate(
            key="capa-report",
            title=Heading("纠正和预防措施报告", "CAPA report"),
            description=_(
                "A CAPA as it stands: problem, containment, five whys, fishbone, root cause, "
                "actions, verification, effectiveness and signatures."
            ),
            build=build_capa_report,
            pdf_template="documents/generated/pdf/report.html",
            subject=subjects.CAPA,
        ),
        DocumentTemplate(
            key="ncr-report",
            title=Heading("不合格品报告", "Nonconformance report"),
            description=_(
                "A nonconformance as it stands: the finding, what it concerns, the "
                "dispositions, the CAPA opened from it and signatures."
            ),
            build=build_ncr_report,
            pdf_template="documents/generated/pdf/report.html",
            subject=subjects.NCR,
        ),
        DocumentTemplate(
            key="supplier-audit-report",
            title=Heading("供应商审核报告", "Supplier audit report"),
            description=_(
                "A supplier audit: scope, auditors, result, conclusion, its findings with "
                "their CAPA and closure, and signatures."
            ),
            build=build_supplier_audit_report,
            pdf_template="documents/generated/pdf/report.html",
            subject=subjects.SUPPLIER_AUDIT,
        ),
    ):
        register(template)
    _loaded = True
