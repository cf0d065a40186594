"""What a generated document can be about, and who may see it: a CAPA or an NCR (scoped to the
sites where the reader may view it, medtrace.org.access through quality's selectors), a
supplier audit (the reader's organization, with the audit view permission) or an SOP topic.
A record is found by its id or its number (CAPA-2026-0007)."""

from django.utils.translation import gettext_lazy as _

from medtrace.documents.generation.registry import SubjectKind

CHOICES_LIMIT = 200


def _by_id_or_number(records, subject_id: str):
    subject_id = str(subject_id or "").strip()
    if not subject_id:
        return None
    if subject_id.isdigit():
        return records.filter(pk=int(subject_id)).first()
    return records.filter(number=subject_id.upper()).first()


def _capas(user):
    from medtrace.quality.capa_selectors import visible_capas

    return visible_capas(user)


def _ncrs(user):
    from medtrace.quality.selectors import visible_nonconformances

    return visible_nonconformances(user)


def _audits(user):
    from medtrace.partners.selectors import visible_audits

    return visible_audits(user)


def _record_choices(records) -> list[tuple[str, str]]:
    return [(str(record.pk), str(record)[:120]) for record in records[:CHOICES_LIMIT]]


CAPA = SubjectKind(
    key="capa",
    label=_("CAPA"),
    subject_type="quality.capa",
    find=lambda user, subject_id: _by_id_or_number(_capas(user), subject_id),
    choices=lambda user: _record_choices(_capas(user)),
    view_perm="quality.view_capa",
    site_owned=True,
)

NCR = SubjectKind(
    key="ncr",
    label=_("Nonconformance"),
    subject_type="quality.nonconformance",
    find=lambda user, subject_id: _by_id_or_number(_ncrs(user), subject_id),
    choices=lambda user: _record_choices(_ncrs(user)),
    view_perm="quality.view_nonconformance",
    site_owned=True,
)

SUPPLIER_AUDIT = SubjectKind(
    key="supplier_audit",
    label=_("Supplier audit"),
    subject_type="partners.supplieraudit",
    find=lambda user, subject_id: _by_id_or_number(_audits(user), subject_id),
    choices=lambda user: _record_choices(_audits(user)),
    view_perm="partners.view_supplieraudit",
    site_of=lambda audit: None,  # suppliers are organization-wide: filed at a chosen site
)


def _topic(user, subject_id):
    from medtrace.documents.generation.sop import TOPICS

    return TOPICS.get(str(subject_id or "").strip().lower().replace("-", "_"))


def _topic_choices(user):
    from django.utils.translation import get_language

    from medtrace.documents.generation.sop import TOPICS

    language = "zh-hans" if (get_language() or "").startswith("zh") else "en"
    return [(key, topic.title.pick(language)) for key, topic in TOPICS.items()]


SOP_TOPIC = SubjectKind(
    key="sop_topic",
    label=_("Topic"),
    subject_type="documents.sop_topic",
    find=_topic,
    choices=_topic_choices,
    site_of=lambda topic: None,
    id_of=lambda topic: topic.key,
    describe=lambda topic: f"{topic.title.zh} / {topic.title.en}",
)
