"""Generating a document from a template, and taking a generated skeleton in as a controlled
document's first draft.

`generate` checks everything first (the template is written for the market, the subject
exists and the user may see it, the site, the permission), gathers the live data and renders
the PDF outside any transaction (slow I/O), then stores the file with its SHA-256, the
GeneratedDocument row and its audit entry in one transaction. The PDF carries its content as
Markdown (an embedded file, content.md, covered by the hash): that is the body a taken-in
draft starts from, exactly what was generated and printed."""

import hashlib
import io
import re

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from medtrace.audit import services as audit
from medtrace.audit.choices import AuditAction
from medtrace.core.errors import DomainError, ErrorCode
from medtrace.core.pdf import render_pdf
from medtrace.documents.choices import Market
from medtrace.documents.generation import registry
from medtrace.documents.generation.common import lead_for, local
from medtrace.documents.generation.content import LANGUAGES, ZH, to_markdown
from medtrace.documents.models import ControlledDocument, GeneratedDocument
from medtrace.org import access
from medtrace.org.models import Site

MARKDOWN_NAME = "content.md"
ADD_DOCUMENT = "documents.add_controlleddocument"


def refuse(code: ErrorCode, message, field: str | None = None):
    details = {"fields": {field: [str(message)]}} if field else {}
    raise DomainError(code, message, **details)


def default_language(market: str) -> str:
    return lead_for(market)


def _template(key: str) -> registry.DocumentTemplate:
    template = registry.get(key)
    if template is None:
        refuse(
            ErrorCode.VALIDATION,
            _("There is no document template %(key)s.") % {"key": key or "—"},
            "template",
        )
    return template


def _market(template, market: str) -> str:
    if market not in template.markets:
        names = ", ".join(str(Market(m).label) for m in template.markets)
        refuse(
            ErrorCode.VALIDATION,
            _("The %(template)s template is not written for the market %(market)s; it is for: "
              "%(markets)s.")
            % {"template": template.title.en, "market": market or "—", "markets": names},
            "market",
        )  # fmt: skip
    return market


def _language(language: str | None, market: str) -> str:
    language = (language or default_language(market)).lower()
    if language == "zh":
        language = ZH
    if language not in LANGUAGES:
        refuse(
            ErrorCode.VALIDATION,
            _("Documents are generated in Chinese (zh-hans) or English (en), not %(language)s.")
            % {"language": language},
            "language",
        )
    return language


def _subject(template, subject, by):
    kind = template.subject
    if kind is None:
        if subject not in (None, ""):
            refuse(
                ErrorCode.VALIDATION,
                _("The %(template)s is not about a record; leave the subject empty.")
                % {"template": template.title.en},
                "subject",
            )
        return None
    if subject in (None, ""):
        refuse(
            ErrorCode.VALIDATION,
            _("Choose the %(kind)s the %(template)s is about.")
            % {"kind": kind.label, "template": template.title.en},
            "subject",
        )
    if isinstance(subject, str | int):
        subject_id = subject
    else:
        meta = getattr(subject, "_meta", None)
        if meta is not None and meta.label_lower != kind.subject_type:
            refuse(
                ErrorCode.VALIDATION,
                _("The %(template)s is about a %(kind)s, not %(record)s.")
                % {"template": template.title.en, "kind": kind.label, "record": subject},
                "subject",
            )
        subject_id = kind.id_of(subject)
    found = kind.find(by, str(subject_id))
    if found is None:
        refuse(
            ErrorCode.NOT_FOUND,
            _("%(kind)s %(id)s does not exist or is not at a site where you may see it.")
            % {"kind": kind.label, "id": subject_id},
            "subject",
        )
    return found


def _site(template, subject, site, by) -> Site:
    owning = template.subject.site_of(subject) if subject is not None else None
    if owning is not None:
        if site is not None and site.pk != owning.pk:
            refuse(
                ErrorCode.VALIDATION,
                _("A report about %(record)s is filed at its own site, %(site)s.")
                % {"record": subject, "site": owning.code},
                "site",
            )
        return owning
    if site is None:
        refuse(
            ErrorCode.VALIDATION,
            _("Choose the site the %(template)s is generated for.")
            % {"template": template.title.en},
            "site",
        )
    visible = access.site_ids_with_perm(by, "org.view_site")
    if site.organization_id != by.organization_id or site.pk not in visible:
        refuse(
            ErrorCode.SITE_NOT_ALLOWED,
            _("You hold no role at site %(site)s.") % {"site": site.code},
            "site",
        )
    return site


def _permitted(template, site: Site, by) -> None:
    perms = [template.permission] if template.permission else []
    if template.subject is not None and template.subject.view_perm:
        perms.append(template.subject.view_perm)
    for perm in perms:
        if not by.has_perm(perm, site):
            refuse(
                ErrorCode.PERMISSION_DENIED,
                _("Your roles at %(site)s do not allow generating the %(template)s (%(perm)s).")
                % {"site": site.code, "template": template.title.en, "perm": perm},
            )


def _signature_rows(record):
    """The Markdown form of a record's signatures: printed name, meaning, time, validity."""
    from medtrace.audit import signatures
    from medtrace.audit.templatetags.signatures import local_time

    header = [_("Printed name"), _("Meaning"), _("Signed"), _("Status")]
    rows = []
    for signature, valid in signatures.with_validity(record):
        shown, zone = local_time(signature)
        rows.append([
            signature.signer_name,
            signature.get_meaning_display(),
            f"{shown} ({zone})",
            _("Valid") if valid else _("Invalid: the record changed after signing"),
        ])  # fmt: skip
    rows = [[str(c) for c in row] for row in rows]
    return [str(h) for h in header], rows, str(_("Not signed yet."))


def _with_markdown(pdf: bytes, markdown: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.add_attachment(MARKDOWN_NAME, markdown.encode())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _file_name(template, market: str, subject_id: str, site: Site, now) -> str:
    about = re.sub(r"[^A-Za-z0-9_.-]+", "-", subject_id or site.code).strip("-")
    return f"{template.key}-{market}-{about}-{now:%Y%m%d-%H%M%S}.pdf"


def render(template, generation: registry.Generation) -> tuple[str, str, bytes]:
    """(title, Markdown, PDF) of a generation: no database write."""
    with translation.override(generation.language):
        content = template.build(generation)
        markdown = to_markdown(content, signature_rows=_signature_rows)
        title, second = content.heading(content.title)
        context = {
            "content": content,
            "sections": content.numbered(),
            "title": title,
            "title_second": second,
            "template": template,
            "market": Market(generation.market),
            "organization": generation.organization,
            "site": generation.site,
            "generated_by": generation.by,
            "generated_at": local(generation.now, generation.site, "%Y-%m-%d %H:%M %z"),
            "subject": generation.subject,
        }
        pdf = render_pdf(template.pdf_template, context, request=None)
    return title, markdown, _with_markdown(pdf, markdown)


def generate(
    template_key: str,
    *,
    market: str,
    by,
    subject=None,
    site: Site | None = None,
    language: str | None = None,
) -> GeneratedDocument:
    """Generate `template_key` for `market` from live data, as `by` sees it, and record it.
    `subject`: the record (or its id or number) or SOP topic the template is about."""
    template = _template(template_key)
    market = _market(template, market)
    language = _language(language, market)
    found = _subject(template, subject, by)
    site = _site(template, found, site, by)
    _permitted(template, site, by)
    now = timezone.now()
    generation = registry.Generation(
        template=template,
        market=market,
        language=language,
        site=site,
        organization=site.organization,
        by=by,
        subject=found,
        now=now,
    )
    title, _markdown, pdf = render(template, generation)  # slow: outside the transaction
    kind = template.subject
    subject_id = kind.id_of(found) if found is not None else ""
    generated = GeneratedDocument(
        organization_id=site.organization_id,
        site=site,
        template=template.key,
        market=market,
        language=language,
        title=title[:200],
        subject_type=kind.subject_type if found is not None else "",
        subject_id=subject_id,
        subject_repr=kind.describe(found)[:200] if found is not None else "",
        sha256=hashlib.sha256(pdf).hexdigest(),
        generated_by=by,
    )
    # The file is written before the transaction (I/O); a failed insert leaves it unreferenced.
    generated.file.save(
        _file_name(template, market, subject_id, site, now), ContentFile(pdf), save=False
    )
    with transaction.atomic():
        generated.save()
        audit.record(AuditAction.CREATE, generated, by=by, changes=audit.created(generated))
    return generated


def markdown_of(generated: GeneratedDocument) -> str:
    """The Markdown the PDF carries, once its hash is checked against the recorded one."""
    from pypdf import PdfReader

    with generated.file.open("rb") as stored:
        pdf = stored.read()
    if hashlib.sha256(pdf).hexdigest() != generated.sha256:
        refuse(
            ErrorCode.CONFLICT,
            _("The file of %(document)s no longer matches its recorded SHA-256; it cannot be "
              "taken in.")
            % {"document": generated.title},
        )  # fmt: skip
    attachments = PdfReader(io.BytesIO(pdf)).attachments.get(MARKDOWN_NAME) or []
    if not attachments:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(document)s carries no editable content.") % {"document": generated.title},
        )
    return attachments[0].decode()


def take_in(
    generated: GeneratedDocument, *, by, number: str = "", applies_to=()
) -> ControlledDocument:
    """Make a generated quality manual or SOP skeleton the first draft of a new controlled
    document owned by the generation's site, and link the two."""
    template = registry.get(generated.template)
    if template is None or template.document_type is None:
        refuse(
            ErrorCode.INVALID_STATE,
            _("%(document)s is a report; only a quality manual or an SOP skeleton becomes a "
              "controlled document.")
            % {"document": generated.title},
        )  # fmt: skip
    if not by.has_perm(ADD_DOCUMENT, generated.site):
        refuse(
            ErrorCode.PERMISSION_DENIED,
            _("Your roles at %(site)s do not allow registering controlled documents (%(perm)s).")
            % {"site": generated.site.code, "perm": ADD_DOCUMENT},
        )
    body = markdown_of(generated)  # file I/O: before the transaction
    from medtrace.documents.services.documents import create_document

    with transaction.atomic():
        locked = GeneratedDocument.objects.select_for_update().get(pk=generated.pk)
        if locked.document_id is not None:
            refuse(
                ErrorCode.INVALID_STATE,
                _("%(document)s was already taken in as %(number)s.")
                % {"document": locked.title, "number": locked.document.number},
            )
        titles = _titles(template, locked)
        document = create_document(
            site=locked.site,
            document_type=template.document_type,
            title=titles[0],
            title_en=titles[1],
            change_summary=str(
                _(
                    "First issue, generated from the %(template)s template (%(market)s) on "
                    "%(date)s; SHA-256 %(sha)s."
                )
                % {
                    "template": template.title.en,
                    "market": locked.get_market_display(),
                    "date": local(locked.generated_at, locked.site, "%Y-%m-%d"),
                    "sha": locked.sha256[:16],
                }
            ),
            by=by,
            number=number,
            applies_to=applies_to,
            body=body,
        )
        locked.document = document
        locked.save(update_fields=["document"])
        audit.record(
            AuditAction.CHANGE, locked, by=by, changes={"document": [None, document.number]}
        )
    generated.document = document
    return document


def _titles(template, generated: GeneratedDocument) -> tuple[str, str]:
    """(Chinese title, English title) of the controlled document a generation becomes."""
    if generated.subject_type == "documents.sop_topic":
        topic = template.subject.find(generated.generated_by, generated.subject_id)
        if topic is not None:
            return topic.title.zh, topic.title.en
    return template.title.zh, template.title.en
