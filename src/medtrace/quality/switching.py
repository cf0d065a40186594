"""The switching rules between normal, tightened and reduced inspection (ISO 2859-1:1999
clause 9, with its switching score for normal -> reduced), lot after lot of one supplier's
item: a pure state object, stored as a dict (quality.models.SamplingScheme)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from medtrace.quality.sampling import (
    SamplingPlan,
    Severity,
    Verdict,
    tighter_acceptance_number,
    verdict,
)

SWITCHING_SCORE_FOR_REDUCED = 30


class SchemeStatus(StrEnum):
    NORMAL = "normal"
    TIGHTENED = "tightened"
    REDUCED = "reduced"
    DISCONTINUED = "discontinued"


class SwitchReason(StrEnum):
    """Why a lot changed the inspection; the value is a stable code, `text` the English wording."""

    NORMAL_TO_TIGHTENED = "normal_to_tightened"
    TIGHTENED_TO_NORMAL = "tightened_to_normal"
    NORMAL_TO_REDUCED = "normal_to_reduced"
    REDUCED_LOT_NOT_ACCEPTED = "reduced_lot_not_accepted"
    REDUCED_ACCEPTANCE_NUMBER_EXCEEDED = "reduced_acceptance_number_exceeded"
    REDUCED_PRODUCTION_IRREGULAR = "reduced_production_irregular"
    REDUCED_OTHER_CONDITIONS = "reduced_other_conditions"
    DISCONTINUED = "discontinued"
    RESUMED_ON_TIGHTENED = "resumed_on_tightened"

    @property
    def text(self) -> str:
        return SWITCH_REASON_TEXTS[self]


SWITCH_REASON_TEXTS: dict[SwitchReason, str] = {
    SwitchReason.NORMAL_TO_TIGHTENED: (
        "2 of 5 or fewer consecutive lots not accepted on normal inspection: tightened inspection"
    ),
    SwitchReason.TIGHTENED_TO_NORMAL: (
        "5 consecutive lots accepted on tightened inspection: normal inspection"
    ),
    SwitchReason.NORMAL_TO_REDUCED: (
        "Switching score of 30 reached, production steady and reduced inspection authorised:"
        " reduced inspection"
    ),
    SwitchReason.REDUCED_LOT_NOT_ACCEPTED: (
        "Lot not accepted on reduced inspection: normal inspection"
    ),
    SwitchReason.REDUCED_ACCEPTANCE_NUMBER_EXCEEDED: (
        "Acceptance number exceeded on reduced inspection: lot accepted, normal inspection"
    ),
    SwitchReason.REDUCED_PRODUCTION_IRREGULAR: (
        "Production irregular or delayed on reduced inspection: normal inspection"
    ),
    SwitchReason.REDUCED_OTHER_CONDITIONS: "Other conditions warrant normal inspection",
    SwitchReason.DISCONTINUED: (
        "5 lots not accepted on tightened inspection: inspection discontinued"
    ),
    SwitchReason.RESUMED_ON_TIGHTENED: (
        "Corrective action accepted: inspection resumes on tightened inspection"
    ),
}

_STATUS_SEVERITY = {
    SchemeStatus.NORMAL: Severity.NORMAL,
    SchemeStatus.TIGHTENED: Severity.TIGHTENED,
    SchemeStatus.REDUCED: Severity.REDUCED,
}
_NORMAL_WINDOW = 5  # "2 out of 5 or fewer consecutive lots"
_TIGHTENED_RUN_FOR_NORMAL = 5
_TIGHTENED_NOT_ACCEPTED_FOR_DISCONTINUATION = 5
_STATE_FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class SwitchingState:
    """Where one supplier-item (and defect class) stands in the switching scheme.

    Rules (ISO 2859-1:1999 clause 9; Z1.4 8.3-8.4 for the same rules and the reduced gap case):
      normal -> tightened    2 of 5 or fewer consecutive lots not accepted on original inspection
      tightened -> normal    5 consecutive lots accepted
      tightened -> stop      the lots not accepted while on tightened inspection reach 5;
                             resume() after corrective action restarts on tightened inspection
      normal -> reduced      switching score >= 30, production steady and reduced inspection
                             authorised by the responsible authority
      reduced -> normal      a lot not accepted; Ac exceeded without reaching Re (105E/Z1.4 gap
                             cells); production irregular or delayed; or reinstate_normal()

    Switching score (ISO 2859-1:1999, single sampling), kept on normal inspection only and
    starting at 0 at each start of normal inspection: after each lot, when Ac >= 2 add 3 if the
    lot would also have been accepted at the next tighter AQL (same sample size), else reset to
    0; when Ac is 0 or 1 add 2 if the lot was accepted, else reset to 0.

    `reason` says why the last recorded lot (or call) changed the status; None when it did not.
    """

    status: SchemeStatus = SchemeStatus.NORMAL
    switching_score: int = 0
    # Original-inspection results of the last lots on normal inspection, oldest first (True =
    # accepted): the lots before the next one in a window of 5 consecutive lots.
    recent_normal_results: tuple[bool, ...] = ()
    tightened_accepted_run: int = 0
    tightened_not_accepted: int = 0
    reason: SwitchReason | None = None

    def __post_init__(self) -> None:
        status = SchemeStatus(self.status)
        object.__setattr__(self, "status", status)
        if self.reason is not None:
            object.__setattr__(self, "reason", SwitchReason(self.reason))
        object.__setattr__(self, "recent_normal_results", tuple(self.recent_normal_results))
        counters = (self.switching_score, self.tightened_accepted_run, self.tightened_not_accepted)
        if any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in counters):
            raise ValueError("switching counters must be whole numbers of at least 0")
        results = self.recent_normal_results
        if not all(isinstance(result, bool) for result in results):
            raise ValueError("recent normal results must be true (accepted) or false")
        on_normal = status is SchemeStatus.NORMAL
        on_tightened = status is SchemeStatus.TIGHTENED
        if not on_normal and (self.switching_score or results):
            raise ValueError("the switching score and lot history only exist on normal inspection")
        if len(results) >= _NORMAL_WINDOW or results.count(False) > 1:
            raise ValueError("this lot history would already have switched to tightened inspection")
        if not on_tightened and (self.tightened_accepted_run or self.tightened_not_accepted):
            raise ValueError("the tightened-inspection counters only exist on tightened inspection")
        if self.tightened_accepted_run >= _TIGHTENED_RUN_FOR_NORMAL:
            raise ValueError("5 accepted lots would already have switched to normal inspection")
        if self.tightened_not_accepted >= _TIGHTENED_NOT_ACCEPTED_FOR_DISCONTINUATION:
            raise ValueError("5 lots not accepted would already have discontinued inspection")

    @property
    def severity(self) -> Severity:
        """The severity of the plan for the next lot."""
        if self.status is SchemeStatus.DISCONTINUED:
            raise ValueError("inspection is discontinued: no plan applies until resume()")
        return _STATUS_SEVERITY[self.status]

    @property
    def reduced_eligible(self) -> bool:
        """The switching score allows reduced inspection, if production and authority agree."""
        return (
            self.status is SchemeStatus.NORMAL
            and self.switching_score >= SWITCHING_SCORE_FOR_REDUCED
        )

    def after_lot(
        self,
        plan_used: SamplingPlan,
        defectives: int,
        *,
        accepted: bool,
        production_steady: bool = True,
        reduced_authorised: bool = False,
    ) -> SwitchingState:
        """The state after a lot's original inspection with `plan_used`.

        `accepted` is the lot's disposition on original inspection. It may be False although the
        plan accepts (e.g. the lot failed for another reason the caller counts against it), but
        never True when the plan rejects.
        """
        if self.status is SchemeStatus.DISCONTINUED:
            raise ValueError("inspection is discontinued: record corrective action with resume()")
        if plan_used.severity is not self.severity:
            raise ValueError(
                f"the lot was inspected on {plan_used.severity} inspection, "
                f"but the scheme is on {self.severity} inspection"
            )
        outcome = verdict(plan_used, defectives)
        if accepted and outcome is Verdict.REJECTED:
            raise ValueError(
                f"{defectives} reaches the rejection number {plan_used.reject}: "
                "the lot cannot be recorded as accepted on original inspection"
            )
        if self.status is SchemeStatus.NORMAL:
            return self._after_normal_lot(
                plan_used, defectives, accepted, production_steady, reduced_authorised
            )
        if self.status is SchemeStatus.TIGHTENED:
            return self._after_tightened_lot(accepted)
        return self._after_reduced_lot(outcome, accepted, production_steady)

    def _after_normal_lot(
        self,
        plan_used: SamplingPlan,
        defectives: int,
        accepted: bool,
        production_steady: bool,
        reduced_authorised: bool,
    ) -> SwitchingState:
        window = (*self.recent_normal_results, accepted)
        if window.count(False) >= 2:
            return SwitchingState(SchemeStatus.TIGHTENED, reason=SwitchReason.NORMAL_TO_TIGHTENED)
        if not accepted:
            score = 0
        elif plan_used.accept >= 2:
            tighter_accepts = defectives <= tighter_acceptance_number(plan_used)
            score = self.switching_score + 3 if tighter_accepts else 0
        else:
            score = self.switching_score + 2
        if score >= SWITCHING_SCORE_FOR_REDUCED and production_steady and reduced_authorised:
            return SwitchingState(SchemeStatus.REDUCED, reason=SwitchReason.NORMAL_TO_REDUCED)
        return replace(
            self,
            switching_score=score,
            recent_normal_results=window[-(_NORMAL_WINDOW - 1) :],
            reason=None,
        )

    def _after_tightened_lot(self, accepted: bool) -> SwitchingState:
        if accepted:
            run = self.tightened_accepted_run + 1
            if run >= _TIGHTENED_RUN_FOR_NORMAL:
                return SwitchingState(SchemeStatus.NORMAL, reason=SwitchReason.TIGHTENED_TO_NORMAL)
            return replace(self, tightened_accepted_run=run, reason=None)
        not_accepted = self.tightened_not_accepted + 1
        if not_accepted >= _TIGHTENED_NOT_ACCEPTED_FOR_DISCONTINUATION:
            return SwitchingState(SchemeStatus.DISCONTINUED, reason=SwitchReason.DISCONTINUED)
        return replace(
            self, tightened_accepted_run=0, tightened_not_accepted=not_accepted, reason=None
        )

    def _after_reduced_lot(
        self, outcome: Verdict, accepted: bool, production_steady: bool
    ) -> SwitchingState:
        if not accepted:
            reason = SwitchReason.REDUCED_LOT_NOT_ACCEPTED
        elif outcome is Verdict.ACCEPTED_REINSTATE_NORMAL:
            reason = SwitchReason.REDUCED_ACCEPTANCE_NUMBER_EXCEEDED
        elif not production_steady:
            reason = SwitchReason.REDUCED_PRODUCTION_IRREGULAR
        else:
            return replace(self, reason=None)
        return SwitchingState(SchemeStatus.NORMAL, reason=reason)

    def reinstate_normal(self) -> SwitchingState:
        """Reduced -> normal because other conditions warrant it (the responsible authority)."""
        if self.status is not SchemeStatus.REDUCED:
            raise ValueError(
                f"only reduced inspection can be reinstated to normal, not {self.status}"
            )
        return SwitchingState(SchemeStatus.NORMAL, reason=SwitchReason.REDUCED_OTHER_CONDITIONS)

    def resume(self) -> SwitchingState:
        """Restart on tightened inspection once the responsible authority accepts the supplier's
        corrective action after discontinuation."""
        if self.status is not SchemeStatus.DISCONTINUED:
            raise ValueError(f"only discontinued inspection can be resumed, not {self.status}")
        return SwitchingState(SchemeStatus.TIGHTENED, reason=SwitchReason.RESUMED_ON_TIGHTENED)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": _STATE_FORMAT_VERSION,
            "status": self.status.value,
            "switching_score": self.switching_score,
            "recent_normal_results": list(self.recent_normal_results),
            "tightened_accepted_run": self.tightened_accepted_run,
            "tightened_not_accepted": self.tightened_not_accepted,
            "reason": None if self.reason is None else self.reason.value,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SwitchingState:
        expected = set(cls().to_dict())
        if not isinstance(data, Mapping) or set(data) != expected:
            raise ValueError(f"a stored switching state has exactly the keys {sorted(expected)}")
        if data["version"] != _STATE_FORMAT_VERSION:
            raise ValueError(f"switching state format {data['version']!r} is not supported")
        results = data["recent_normal_results"]
        if not isinstance(results, list):
            raise ValueError("recent_normal_results must be a list of true/false")
        try:
            return cls(
                status=SchemeStatus(data["status"]),
                switching_score=data["switching_score"],
                recent_normal_results=tuple(results),
                tightened_accepted_run=data["tightened_accepted_run"],
                tightened_not_accepted=data["tightened_not_accepted"],
                reason=None if data["reason"] is None else SwitchReason(data["reason"]),
            )
        except (TypeError, ValueError) as error:
            raise ValueError(f"not a valid switching state: {error}") from None
