"""Reading generated documents: those filed at the sites where the reader may view generated
documents, and, for a report about a record, where they may also view that kind of record (a
supplier audit report needs the supplier audit view permission)."""

from django.db.models import Q, QuerySet
from django.http import Http404

from medtrace.documents.generation import registry
from medtrace.documents.models import GeneratedDocument
from medtrace.org import access

VIEW = "documents.view_generateddocument"


def visible_generated(user) -> QuerySet[GeneratedDocument]:
    sites = access.site_ids_with_perm(user, VIEW)
    kinds = {t.subject.subject_type: t.subject for t in registry.templates() if t.subject}
    about = Q(subject_type="")
    for subject_type, kind in kinds.items():
        if kind.view_perm:
            readable = access.site_ids_with_perm(user, kind.view_perm)
            about |= Q(subject_type=subject_type, site_id__in=readable)
        else:
            about |= Q(subject_type=subject_type)
    return (
        GeneratedDocument.objects.filter(site_id__in=sites)
        .filter(about)
        .select_related("site", "generated_by", "document")
    )


def get_generated_or_404(user, pk) -> GeneratedDocument:
    try:
        return visible_generated(user).get(pk=pk)
    except (GeneratedDocument.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def template_title(key: str, language: str) -> str:
    template = registry.get(key)
    return template.title.pick(language) if template else key


def generated_url(object_id: str, site) -> str | None:
    from django.urls import NoReverseMatch, reverse

    if not object_id.isdigit():
        return None
    try:
        return reverse("documents:generated-detail", args=[int(object_id)])
    except NoReverseMatch:
        return None


def generated_for_history(user, object_id: str) -> GeneratedDocument:
    return get_generated_or_404(user, int(object_id) if object_id.isdigit() else 0)
