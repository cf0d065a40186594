from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "medtrace.training"
    label = "training"
    verbose_name = _("Training")

    def ready(self):
        from medtrace.audit.choices import SignatureMeaning
        from medtrace.audit.signatures import register_signable
        from medtrace.core.navigation import NavItem, register
        from medtrace.training.models import TrainingAssignment

        register(
            NavItem(
                "quality",
                _("Training"),
                "training:matrix",
                "training.view_trainingassignment",
            ),
            NavItem(
                "quality", _("My training"), "training:my-training", "training.view_trainingrecord"
            ),
            NavItem(
                "quality", _("Curricula"), "training:curriculum-list", "training.view_curriculum"
            ),
        )
        # Trainees sign their own assignments and trainers those they assess; which of them
        # may is the services' rule (training.services.records).
        register_signable(
            TrainingAssignment,
            permission="training.view_trainingassignment",
            meanings=[SignatureMeaning.READ_AND_UNDERSTOOD, SignatureMeaning.VERIFIED],
            standalone=False,
        )
