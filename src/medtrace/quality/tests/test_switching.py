"""ISO 2859-1 clause 9: switching between normal, tightened and reduced inspection, lot after
lot, and the state stored between lots."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medtrace.quality.sampling import Severity, Verdict, plan, verdict
from medtrace.quality.switching import SchemeStatus, SwitchingState, SwitchReason

# --- switching rules ----------------------------------------------------------------------------

NORMAL_PLAN = plan(1000, "1.0")  # J: n=80, Ac 2 Re 3; at AQL 0.65 (one step tighter) Ac 1
NORMAL_AC0_PLAN = plan(1000, "0.15")  # J: n=80, Ac 0 Re 1
TIGHTENED_PLAN = plan(1000, "1.0", severity="tightened")  # J: n=80, Ac 1 Re 2
REDUCED_PLAN = plan(1000, "1.0", severity="reduced")  # J: n=32, Ac 1 Re 3
PLAN_FOR = {
    SchemeStatus.NORMAL: NORMAL_PLAN,
    SchemeStatus.TIGHTENED: TIGHTENED_PLAN,
    SchemeStatus.REDUCED: REDUCED_PLAN,
}


def _lots(state, counts, *, plan_used=None, **conditions):
    """Record lots with these counts, each on the plan of the state it meets."""
    for count in counts:
        used = plan_used or PLAN_FOR[state.status]
        accepted = verdict(used, count) is not Verdict.REJECTED
        state = state.after_lot(used, count, accepted=accepted, **conditions)
    return state


def test_inspection_starts_on_normal():
    state = SwitchingState()
    assert state.status is SchemeStatus.NORMAL
    assert state.severity is Severity.NORMAL
    assert state.switching_score == 0


def test_two_lots_not_accepted_within_five_switch_to_tightened():
    state = _lots(SwitchingState(), [0, 3, 0, 0, 0])
    assert state.status is SchemeStatus.NORMAL
    assert state.reason is None
    state = _lots(state, [3])  # lots 2-6: five consecutive lots, two not accepted
    assert state.status is SchemeStatus.TIGHTENED
    assert state.reason is SwitchReason.NORMAL_TO_TIGHTENED
    assert state.severity is Severity.TIGHTENED


def test_two_lots_not_accepted_six_lots_apart_stay_on_normal():
    state = _lots(SwitchingState(), [3, 0, 0, 0, 0, 3])
    assert state.status is SchemeStatus.NORMAL
    assert state.recent_normal_results == (True, True, True, False)


def test_two_consecutive_lots_not_accepted_switch_to_tightened():
    assert _lots(SwitchingState(), [3, 3]).status is SchemeStatus.TIGHTENED


def test_a_lot_recorded_as_not_accepted_counts_even_if_its_sample_passed():
    state = SwitchingState().after_lot(NORMAL_PLAN, 0, accepted=False)
    state = state.after_lot(NORMAL_PLAN, 1, accepted=False)
    assert state.status is SchemeStatus.TIGHTENED


def test_five_consecutive_accepted_lots_on_tightened_return_to_normal():
    state = _lots(SwitchingState(SchemeStatus.TIGHTENED), [0, 0, 0, 0])
    assert state.status is SchemeStatus.TIGHTENED
    assert state.tightened_accepted_run == 4
    state = _lots(state, [1])
    assert state.status is SchemeStatus.NORMAL
    assert state.reason is SwitchReason.TIGHTENED_TO_NORMAL
    assert state.switching_score == 0


def test_a_lot_not_accepted_on_tightened_restarts_the_run():
    state = _lots(SwitchingState(SchemeStatus.TIGHTENED), [0, 0, 0, 0, 2, 0, 0, 0, 0])
    assert state.status is SchemeStatus.TIGHTENED
    assert (state.tightened_accepted_run, state.tightened_not_accepted) == (4, 1)
    assert _lots(state, [0]).status is SchemeStatus.NORMAL


def test_five_lots_not_accepted_on_tightened_discontinue_inspection():
    state = _lots(SwitchingState(SchemeStatus.TIGHTENED), [2, 0, 2, 0, 0, 2, 0, 2])
    assert state.status is SchemeStatus.TIGHTENED
    assert state.tightened_not_accepted == 4
    state = _lots(state, [5])
    assert state.status is SchemeStatus.DISCONTINUED
    assert state.reason is SwitchReason.DISCONTINUED
    with pytest.raises(ValueError, match="discontinued"):
        state.after_lot(TIGHTENED_PLAN, 0, accepted=True)
    with pytest.raises(ValueError, match="no plan applies"):
        _ = state.severity
    resumed = state.resume()
    assert resumed.status is SchemeStatus.TIGHTENED
    assert resumed.reason is SwitchReason.RESUMED_ON_TIGHTENED
    assert resumed.tightened_not_accepted == 0


def test_switching_score_adds_3_when_the_tighter_aql_would_accept():
    # Ac 2: one step tighter (AQL 0.65, same n=80) the plan is Ac 1.
    state = _lots(SwitchingState(), [1] * 9, reduced_authorised=True)
    assert state.switching_score == 27
    assert state.status is SchemeStatus.NORMAL
    state = _lots(state, [0], reduced_authorised=True)
    assert state.status is SchemeStatus.REDUCED
    assert state.reason is SwitchReason.NORMAL_TO_REDUCED
    assert state.severity is Severity.REDUCED


def test_switching_score_resets_when_only_the_plan_itself_accepts():
    state = _lots(SwitchingState(), [0, 0, 0])
    assert state.switching_score == 9
    state = _lots(state, [2])  # accepted at AQL 1.0 (Ac 2), not at 0.65 (Ac 1)
    assert state.switching_score == 0
    assert state.recent_normal_results[-1] is True


def test_switching_score_adds_2_per_accepted_lot_when_ac_is_0_or_1():
    state = _lots(SwitchingState(), [0] * 14, plan_used=NORMAL_AC0_PLAN, reduced_authorised=True)
    assert state.switching_score == 28
    state = _lots(state, [0], plan_used=NORMAL_AC0_PLAN, reduced_authorised=True)
    assert state.status is SchemeStatus.REDUCED


def test_switching_score_resets_on_a_lot_not_accepted():
    state = _lots(SwitchingState(), [0, 0, 3])
    assert state.switching_score == 0
    assert state.status is SchemeStatus.NORMAL


def test_reduced_needs_steady_production_and_the_authority():
    state = _lots(SwitchingState(), [0] * 10)
    assert state.status is SchemeStatus.NORMAL
    assert state.reduced_eligible
    assert _lots(state, [0], production_steady=False, reduced_authorised=True).status is (
        SchemeStatus.NORMAL
    )
    assert _lots(state, [0], reduced_authorised=True).status is SchemeStatus.REDUCED


@pytest.fixture
def on_reduced():
    return _lots(SwitchingState(), [0] * 10, reduced_authorised=True)


def test_reduced_continues_while_lots_are_accepted_within_ac(on_reduced):
    state = _lots(on_reduced, [0, 1, 0])
    assert state.status is SchemeStatus.REDUCED
    assert state.reason is None


def test_a_lot_not_accepted_on_reduced_reinstates_normal(on_reduced):
    state = _lots(on_reduced, [3])
    assert state.status is SchemeStatus.NORMAL
    assert state.reason is SwitchReason.REDUCED_LOT_NOT_ACCEPTED


def test_ac_exceeded_without_reaching_re_accepts_the_lot_but_reinstates_normal(on_reduced):
    assert verdict(REDUCED_PLAN, 2) is Verdict.ACCEPTED_REINSTATE_NORMAL
    state = on_reduced.after_lot(REDUCED_PLAN, 2, accepted=True)
    assert state.status is SchemeStatus.NORMAL
    assert state.reason is SwitchReason.REDUCED_ACCEPTANCE_NUMBER_EXCEEDED
    assert state.switching_score == 0


def test_irregular_production_on_reduced_reinstates_normal(on_reduced):
    state = on_reduced.after_lot(REDUCED_PLAN, 0, accepted=True, production_steady=False)
    assert state.reason is SwitchReason.REDUCED_PRODUCTION_IRREGULAR
    assert state.status is SchemeStatus.NORMAL


def test_other_conditions_reinstate_normal(on_reduced):
    state = on_reduced.reinstate_normal()
    assert (state.status, state.reason) == (
        SchemeStatus.NORMAL,
        SwitchReason.REDUCED_OTHER_CONDITIONS,
    )
    with pytest.raises(ValueError, match="only reduced inspection"):
        state.reinstate_normal()
    with pytest.raises(ValueError, match="only discontinued inspection"):
        state.resume()


def test_after_lot_refuses_a_plan_of_another_severity():
    with pytest.raises(ValueError, match="inspected on tightened inspection, but the scheme is on"):
        SwitchingState().after_lot(TIGHTENED_PLAN, 0, accepted=True)


def test_after_lot_refuses_a_rejected_lot_recorded_as_accepted():
    with pytest.raises(ValueError, match="cannot be recorded as accepted"):
        SwitchingState().after_lot(NORMAL_PLAN, 3, accepted=True)


def test_every_reason_has_its_own_english_text():
    texts = [reason.text for reason in SwitchReason]
    assert all(texts)
    assert len(set(texts)) == len(texts)


# --- storing the state --------------------------------------------------------------------------


def test_state_round_trips_through_json():
    state = _lots(SwitchingState(), [0, 3, 1, 0])
    stored = json.loads(json.dumps(state.to_dict()))
    assert stored == {
        "version": 1,
        "status": "normal",
        "switching_score": 6,
        "recent_normal_results": [True, False, True, True],
        "tightened_accepted_run": 0,
        "tightened_not_accepted": 0,
        "reason": None,
    }
    assert SwitchingState.from_dict(stored) == state


@given(
    st.lists(st.tuples(st.integers(0, 4), st.booleans(), st.booleans(), st.booleans()), max_size=60)
)
def test_any_lot_history_gives_a_state_that_round_trips(lots):
    state = SwitchingState()
    for count, steady, authorised, resume in lots:
        if state.status is SchemeStatus.DISCONTINUED:
            if not resume:
                continue
            state = state.resume()
        used = PLAN_FOR[state.status]
        state = state.after_lot(
            used,
            count,
            accepted=verdict(used, count) is not Verdict.REJECTED,
            production_steady=steady,
            reduced_authorised=authorised,
        )
        assert SwitchingState.from_dict(json.loads(json.dumps(state.to_dict()))) == state


def _stored(**changes):
    return {**SwitchingState().to_dict(), **changes}


@pytest.mark.parametrize(
    "data",
    [
        {},
        {key: value for key, value in _stored().items() if key != "reason"},
        _stored(extra=1),
        _stored(version=2),
        _stored(status="lenient"),
        _stored(switching_score=-1),
        _stored(switching_score=True),
        _stored(switching_score="3"),
        _stored(recent_normal_results="TFT"),
        _stored(recent_normal_results=[1, 0]),
        _stored(recent_normal_results=[False, False]),
        _stored(recent_normal_results=[True] * 5),
        _stored(status="tightened", switching_score=3),
        _stored(status="normal", tightened_accepted_run=2),
        _stored(status="tightened", tightened_not_accepted=5),
        _stored(reason="because"),
        ["not", "a", "mapping"],
    ],
)
def test_a_stored_state_that_cannot_happen_is_refused(data):
    with pytest.raises(ValueError):
        SwitchingState.from_dict(data)
