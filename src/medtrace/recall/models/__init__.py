from medtrace.recall.models.notices import Notice, NoticeEvent, NoticeLine
from medtrace.recall.models.recalls import Recall, ScopeEntry, ScopeSnapshot

__all__ = ["Notice", "NoticeEvent", "NoticeLine", "Recall", "ScopeEntry", "ScopeSnapshot"]
