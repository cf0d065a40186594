from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "medtrace.documents"
    label = "documents"
    verbose_name = _("Document control")

    def ready(self):
        from medtrace.audit.choices import SignatureMeaning
        from medtrace.audit.selectors import register_record_type
        from medtrace.audit.signatures import register_signable
        from medtrace.core.navigation import NavItem, register
        from medtrace.documents import selectors
        from medtrace.documents.generation import selectors as generation_selectors
        from medtrace.documents.models import ControlledDocument, DocumentRevision

        register(
            NavItem(
                "quality",
                _("Documents"),
                "documents:document-list",
                "documents.view_controlleddocument",
            ),
            NavItem(
                "quality",
                _("Generated documents"),
                "documents:generated-list",
                "documents.view_generateddocument",
            ),
        )
        for object_type, url, for_history in (
            (
                "documents.controlleddocument",
                selectors.document_url,
                selectors.document_for_history,
            ),
            ("documents.documentrevision", selectors.revision_url, selectors.revision_for_history),
            (
                "documents.generateddocument",
                generation_selectors.generated_url,
                generation_selectors.generated_for_history,
            ),
        ):
            register_record_type(object_type, url, for_history)
        # Who may author or approve is the workflow's question (each transition names its
        # permission); the registry only lets the revision's readers see its signatures.
        register_signable(
            DocumentRevision,
            permission="documents.view_controlleddocument",
            meanings=[
                SignatureMeaning.AUTHORED,
                SignatureMeaning.APPROVED,
                SignatureMeaning.WITHDRAWN,
            ],
            standalone=False,
        )
        register_signable(
            ControlledDocument,
            permission="documents.approve_document",
            meanings=[SignatureMeaning.REVIEWED],
            standalone=False,
        )
