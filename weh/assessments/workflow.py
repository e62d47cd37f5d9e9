"""The assessment workflow: states and the transitions allowed between them. Pure: no Django.

draft → submitted → in_review → (returned → submitted) | recognised | declined;
recognised → expired. Each transition is carried out by one service, which checks this table.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    RETURNED = "returned"
    RECOGNISED = "recognised"
    DECLINED = "declined"
    EXPIRED = "expired"


class Transition(StrEnum):
    SUBMIT = "submit"
    START_REVIEW = "start_review"
    RETURN = "return"
    RECOGNISE = "recognise"
    DECLINE = "decline"
    EXPIRE = "expire"


TRANSITIONS: dict[Transition, tuple[frozenset[State], State]] = {
    Transition.SUBMIT: (frozenset({State.DRAFT, State.RETURNED}), State.SUBMITTED),
    Transition.START_REVIEW: (frozenset({State.SUBMITTED}), State.IN_REVIEW),
    Transition.RETURN: (frozenset({State.IN_REVIEW}), State.RETURNED),
    Transition.RECOGNISE: (frozenset({State.IN_REVIEW}), State.RECOGNISED),
    Transition.DECLINE: (frozenset({State.IN_REVIEW}), State.DECLINED),
    Transition.EXPIRE: (frozenset({State.RECOGNISED}), State.EXPIRED),
}

# Responses and evidence can be changed only in these states.
EDITABLE: frozenset[State] = frozenset({State.DRAFT, State.RETURNED})


class TransitionError(ValueError):
    """The transition is not allowed from the current state."""

    def __init__(self, transition: Transition, current: State) -> None:
        self.transition = transition
        self.current = current
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[transition][0]))
        super().__init__(f"cannot {transition.value} from {current.value}; only from {allowed}")


def next_state(current: State | str, transition: Transition | str) -> State:
    """The state after ``transition`` from ``current``; TransitionError when not allowed."""
    state, move = State(current), Transition(transition)
    sources, target = TRANSITIONS[move]
    if state not in sources:
        raise TransitionError(move, state)
    return target


def allowed_transitions(current: State | str) -> list[Transition]:
    """The transitions that may start from ``current``, in table order."""
    state = State(current)
    return [move for move, (sources, _target) in TRANSITIONS.items() if state in sources]


def is_editable(current: State | str) -> bool:
    return State(current) in EDITABLE
