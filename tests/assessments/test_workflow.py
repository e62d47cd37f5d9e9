"""The workflow's transition table, exhaustively: every state, every action, every actor."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weh.assessments import workflow
from weh.assessments.workflow import Action, Actor, Facts, Guard, State

# Facts under which every guard holds (for the rules that have guards).
PERMISSIVE = Facts(
    open_questions=0,
    required_reviews=1,
    completed_reviews=1,
    reasons="Reasons recorded by the committee.",
    substantiated_alerts=1,
    validity_ended=True,
)

EXPECTED: dict[Action, tuple[set[State], State, set[Actor]]] = {
    Action.SUBMIT: ({State.DRAFT}, State.SUBMITTED, {Actor.APPLICANT}),
    Action.WITHDRAW: (
        {State.DRAFT, State.SUBMITTED, State.IN_REVIEW, State.RETURNED},
        State.WITHDRAWN,
        {Actor.APPLICANT, Actor.SECRETARIAT},
    ),
    Action.START_REVIEW: ({State.SUBMITTED}, State.IN_REVIEW, {Actor.SECRETARIAT}),
    Action.RETURN: ({State.IN_REVIEW}, State.RETURNED, {Actor.REVIEWER, Actor.SECRETARIAT}),
    Action.RESUBMIT: ({State.RETURNED}, State.IN_REVIEW, {Actor.APPLICANT}),
    Action.RECOGNISE: ({State.IN_REVIEW}, State.RECOGNISED, {Actor.SECRETARIAT}),
    Action.DECLINE: ({State.IN_REVIEW}, State.DECLINED, {Actor.SECRETARIAT}),
    Action.SUSPEND: ({State.RECOGNISED}, State.SUSPENDED, {Actor.SECRETARIAT}),
    Action.REINSTATE: ({State.SUSPENDED}, State.RECOGNISED, {Actor.SECRETARIAT}),
    Action.EXPIRE: ({State.RECOGNISED, State.SUSPENDED}, State.EXPIRED, {Actor.SYSTEM}),
}


def _facts_for(action: Action) -> Facts:
    # RETURN needs an open question, which RESUBMIT and RECOGNISE forbid.
    if action is Action.RETURN:
        return Facts(open_questions=1)
    return PERMISSIVE


def test_the_table_is_the_one_documented():
    assert set(workflow.RULES) == set(Action)
    for action, (sources, target, actors) in EXPECTED.items():
        rule = workflow.RULES[action]
        assert set(rule.sources) == sources, action
        assert rule.target is target, action
        assert set(rule.actors) == actors, action


@pytest.mark.parametrize(
    ("state", "action", "actor"), list(itertools.product(State, Action, Actor))
)
def test_every_state_action_and_actor(state, action, actor):
    sources, target, actors = EXPECTED[action]
    facts = _facts_for(action)
    if state not in sources:
        with pytest.raises(workflow.IllegalTransition) as refused:
            workflow.check(state, action, [actor], facts)
        assert refused.value.current is state
        assert set(refused.value.allowed_from) == sources
        assert str(state.value) in str(refused.value)
    elif actor not in actors:
        with pytest.raises(workflow.ActorNotAllowed) as refused:
            workflow.check(state, action, [actor], facts)
        assert set(refused.value.allowed_actors) == actors
    else:
        rule = workflow.check(state, action, [actor], facts)
        assert rule.target is target


@pytest.mark.parametrize("state", list(State))
def test_allowed_actions_agree_with_check(state):
    for actor in Actor:
        allowed = set(workflow.allowed_actions(state, [actor]))
        for action in Action:
            try:
                workflow.check(state, action, [actor], _facts_for(action))
                passed = True
            except workflow.TransitionRefused:
                passed = False
            assert passed == (action in allowed), (state, actor, action)


def test_no_actor_at_all_is_refused():
    with pytest.raises(workflow.ActorNotAllowed):
        workflow.check(State.DRAFT, Action.SUBMIT, [], PERMISSIVE)


def test_final_states_lead_nowhere():
    for state in workflow.FINAL:
        assert workflow.allowed_actions(state) == []


def test_every_state_is_reachable_from_draft():
    reached, frontier = {State.DRAFT}, [State.DRAFT]
    while frontier:
        state = frontier.pop()
        for action in workflow.allowed_actions(state):
            target = workflow.next_state(state, action)
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(State)


def test_answers_editable_only_in_draft_and_returned():
    assert {s for s in State if workflow.is_editable(s)} == {State.DRAFT, State.RETURNED}


GUARD_CASES = [
    (
        Action.SUBMIT,
        Facts(unanswered=("W1.1",)),
        Guard.ALL_RATED_AND_JUSTIFIED,
        ("unanswered", "W1.1"),
    ),
    (
        Action.SUBMIT,
        Facts(unjustified=("W2.3",)),
        Guard.ALL_RATED_AND_JUSTIFIED,
        ("unjustified", "W2.3"),
    ),
    (Action.RETURN, Facts(open_questions=0), Guard.QUESTION_OPEN, ()),
    (Action.RESUBMIT, Facts(open_questions=2), Guard.QUESTIONS_ANSWERED, ("2",)),
    (
        Action.RECOGNISE,
        replace(PERMISSIVE, completed_reviews=1, required_reviews=2),
        Guard.REVIEWS_COMPLETE,
        ("1", "2"),
    ),
    (
        Action.RECOGNISE,
        replace(PERMISSIVE, open_conflicts=1),
        Guard.NO_OPEN_CONFLICT,
        ("1",),
    ),
    (
        Action.RECOGNISE,
        replace(PERMISSIVE, tier_shortfalls=("pledge",)),
        Guard.TIER_REQUIREMENTS_MET,
        ("pledge",),
    ),
    (
        Action.RECOGNISE,
        replace(PERMISSIVE, level_recognisable=False),
        Guard.LEVEL_RECOGNISABLE,
        (),
    ),
    (Action.DECLINE, Facts(reasons="   "), Guard.REASONS_GIVEN, ()),
    (Action.SUSPEND, Facts(reasons="x", substantiated_alerts=0), Guard.ALERT_SUBSTANTIATED, ()),
    (Action.EXPIRE, Facts(validity_ended=False), Guard.VALIDITY_ENDED, ()),
]


@pytest.mark.parametrize(("action", "facts", "guard", "details"), GUARD_CASES)
def test_each_guard_refuses_with_its_details(action, facts, guard, details):
    sources, _target, actors = EXPECTED[action]
    state, actor = sorted(sources)[0], sorted(actors)[0]
    with pytest.raises(workflow.GuardsFailed) as refused:
        workflow.check(state, action, [actor], facts)
    found = [f for f in refused.value.failures if f.guard is guard]
    assert found
    assert found[0].details == details


def test_all_failing_guards_are_reported_together():
    with pytest.raises(workflow.GuardsFailed) as refused:
        workflow.check(
            State.IN_REVIEW,
            Action.RECOGNISE,
            [Actor.SECRETARIAT],
            Facts(open_questions=1, required_reviews=2, open_conflicts=1, reasons=""),
        )
    assert {f.guard for f in refused.value.failures} == {
        Guard.QUESTIONS_ANSWERED,
        Guard.REVIEWS_COMPLETE,
        Guard.NO_OPEN_CONFLICT,
        Guard.REASONS_GIVEN,
    }


@given(
    requires=st.fixed_dictionaries(
        {
            "pledge": st.booleans(),
            "reviews": st.integers(0, 5),
            "field_verification": st.booleans(),
        }
    ),
    have=st.fixed_dictionaries(
        {
            "pledge": st.booleans(),
            "reviews": st.integers(0, 5),
            "field_verification": st.booleans(),
        }
    ),
)
def test_tier_shortfalls_are_exactly_the_unmet_requirements(requires, have):
    missing = workflow.tier_shortfalls(requires, have)
    for name in requires:
        needed, got = requires[name], have[name]
        unmet = (needed and not got) if isinstance(needed, bool) else got < needed
        assert (name in missing) == bool(unmet)
    assert list(missing) == [n for n in requires if n in missing]


@given(st.sampled_from(list(State)), st.sampled_from(list(Action)))
def test_next_state_matches_check(state, action):
    sources, target, _actors = EXPECTED[action]
    if state in sources:
        assert workflow.next_state(state, action) is target
    else:
        with pytest.raises(workflow.IllegalTransition):
            workflow.next_state(state, action)
