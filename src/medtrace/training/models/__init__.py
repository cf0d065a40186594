"""Curricula (who must know which documents), training assignments and training records."""

from medtrace.training.models.training import Curriculum, TrainingAssignment, TrainingRecord

__all__ = ["Curriculum", "TrainingAssignment", "TrainingRecord"]
