from medtrace.recall.models.recalls import Recall, ScopeEntry, ScopeSnapshot

__all__ = ["Recall", "ScopeEntry", "ScopeSnapshot"]
