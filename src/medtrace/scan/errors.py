"""Why a scan was refused: a stable code (the CLI/API contract) and a translated message."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class ScanErrorCode(StrEnum):
    BAD_CHECK_DIGIT = "BAD_CHECK_DIGIT"
    UNKNOWN_AI = "UNKNOWN_AI"
    VALUE_TOO_LONG = "VALUE_TOO_LONG"
    VALUE_TOO_SHORT = "VALUE_TOO_SHORT"
    INVALID_DATE = "INVALID_DATE"
    INVALID_CHARACTER = "INVALID_CHARACTER"
    MISSING_REQUIRED_AI = "MISSING_REQUIRED_AI"
    INVALID_AI_PAIR = "INVALID_AI_PAIR"
    DUPLICATE_AI_CONFLICT = "DUPLICATE_AI_CONFLICT"
    EMPTY_DATA = "EMPTY_DATA"
    DL_INVALID_URI = "DL_INVALID_URI"
    DL_BAD_PATH_ORDER = "DL_BAD_PATH_ORDER"
    DL_QUALIFIER_IN_QUERY = "DL_QUALIFIER_IN_QUERY"
    DL_INVALID_KEY_LENGTH = "DL_INVALID_KEY_LENGTH"
    HIBC_BAD_CHECK = "HIBC_BAD_CHECK"
    HIBC_INVALID_LIC = "HIBC_INVALID_LIC"
    HIBC_LINK_MISMATCH = "HIBC_LINK_MISMATCH"
    MA_MALFORMED = "MA_MALFORMED"
    UNSUPPORTED = "UNSUPPORTED"


class ScanError(ValueError):
    """The one exception the parser raises: a code, a message naming the rule, and the AI
    (or HIBC/MA field) concerned when there is one."""

    def __init__(self, code: ScanErrorCode, message, *, ai: str | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.ai = ai

    def as_dict(self) -> dict:
        return {"error": {"code": str(self.code), "message": str(self.message), "ai": self.ai}}


def refuse(code: ScanErrorCode, message, *, ai: str | None = None):
    raise ScanError(code, message, ai=ai)


EMPTY = _("The scan is empty.")
