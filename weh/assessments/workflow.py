"""The assessment workflow as one explicit table. Pure: no Django.

Each rule names the action, the states it may start from, the state it leads to, who may take it,
the guards that must hold and the effects the service carries out. Services compute the facts the
guards read (``Facts``), ask ``check`` for the next state, then apply the effects in one
transaction. Nothing else in the code compares status strings.

    draft ─submit→ submitted ─start_review→ in_review ─recognise→ recognised ─expire→ expired
                                            │  ↑   └─decline→ declined      │  ↑
                                   return ──┘  └── resubmit ── returned     suspend  reinstate
                                                                             ↓  │
    (withdraw from draft, submitted, in_review, returned)                   suspended ─expire→
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    RETURNED = "returned"
    RECOGNISED = "recognised"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    SUSPENDED = "suspended"


class Action(StrEnum):
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    START_REVIEW = "start_review"
    RETURN = "return"
    RESUBMIT = "resubmit"
    RECOGNISE = "recognise"
    DECLINE = "decline"
    SUSPEND = "suspend"
    REINSTATE = "reinstate"
    EXPIRE = "expire"


class Actor(StrEnum):
    """Who takes an action, relative to the assessment (not a site-wide role)."""

    APPLICANT = "applicant"  # may submit for the owning organisation, or coordinates it
    REVIEWER = "reviewer"  # assigned to review this assessment
    SECRETARIAT = "secretariat"  # runs the hub and its recognition committee
    SYSTEM = "system"  # scheduled work, e.g. expiry


class Guard(StrEnum):
    ALL_RATED_AND_JUSTIFIED = "all_rated_and_justified"
    QUESTION_OPEN = "question_open"
    QUESTIONS_ANSWERED = "questions_answered"
    REVIEWS_COMPLETE = "reviews_complete"
    NO_OPEN_CONFLICT = "no_open_conflict"
    TIER_REQUIREMENTS_MET = "tier_requirements_met"
    LEVEL_RECOGNISABLE = "level_recognisable"
    REASONS_GIVEN = "reasons_given"
    ALERT_SUBSTANTIATED = "alert_substantiated"
    VALIDITY_ENDED = "validity_ended"


class Effect(StrEnum):
    LOCK_ANSWERS = "lock_answers"
    UNLOCK_ANSWERS = "unlock_answers"
    NOTIFY_SECRETARIAT = "notify_secretariat"
    NOTIFY_APPLICANT = "notify_applicant"
    NOTIFY_REVIEWERS = "notify_reviewers"
    RECORD_DECISION = "record_decision"
    ISSUE_RECOGNITION = "issue_recognition"
    SUSPEND_RECOGNITION = "suspend_recognition"
    REINSTATE_RECOGNITION = "reinstate_recognition"
    END_RECOGNITION = "end_recognition"


@dataclass(frozen=True)
class Rule:
    action: Action
    sources: frozenset[State]
    target: State
    actors: frozenset[Actor]
    guards: tuple[Guard, ...] = ()
    effects: tuple[Effect, ...] = ()


def _rule(
    action: Action,
    sources: Iterable[State],
    target: State,
    actors: Iterable[Actor],
    guards: Iterable[Guard] = (),
    effects: Iterable[Effect] = (),
) -> Rule:
    return Rule(
        action, frozenset(sources), target, frozenset(actors), tuple(guards), tuple(effects)
    )


S, A, G, E = State, Actor, Guard, Effect

RULES: dict[Action, Rule] = {
    rule.action: rule
    for rule in (
        _rule(
            Action.SUBMIT,
            {S.DRAFT},
            S.SUBMITTED,
            {A.APPLICANT},
            {G.ALL_RATED_AND_JUSTIFIED},
            (E.LOCK_ANSWERS, E.NOTIFY_SECRETARIAT),
        ),
        _rule(
            Action.WITHDRAW,
            {S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.RETURNED},
            S.WITHDRAWN,
            {A.APPLICANT, A.SECRETARIAT},
            (),
            (E.LOCK_ANSWERS, E.NOTIFY_SECRETARIAT, E.NOTIFY_REVIEWERS),
        ),
        _rule(
            Action.START_REVIEW,
            {S.SUBMITTED},
            S.IN_REVIEW,
            {A.SECRETARIAT},
            (),
            (E.NOTIFY_APPLICANT, E.NOTIFY_REVIEWERS),
        ),
        _rule(
            Action.RETURN,
            {S.IN_REVIEW},
            S.RETURNED,
            {A.REVIEWER, A.SECRETARIAT},
            {G.QUESTION_OPEN},
            (E.UNLOCK_ANSWERS, E.NOTIFY_APPLICANT),
        ),
        _rule(
            Action.RESUBMIT,
            {S.RETURNED},
            S.IN_REVIEW,
            {A.APPLICANT},
            (G.QUESTIONS_ANSWERED, G.ALL_RATED_AND_JUSTIFIED),
            (E.LOCK_ANSWERS, E.NOTIFY_REVIEWERS, E.NOTIFY_SECRETARIAT),
        ),
        _rule(
            Action.RECOGNISE,
            {S.IN_REVIEW},
            S.RECOGNISED,
            {A.SECRETARIAT},
            (
                G.QUESTIONS_ANSWERED,
                G.NO_OPEN_CONFLICT,
                G.REVIEWS_COMPLETE,
                G.TIER_REQUIREMENTS_MET,
                G.LEVEL_RECOGNISABLE,
                G.REASONS_GIVEN,
            ),
            (E.RECORD_DECISION, E.ISSUE_RECOGNITION, E.NOTIFY_APPLICANT, E.NOTIFY_REVIEWERS),
        ),
        _rule(
            Action.DECLINE,
            {S.IN_REVIEW},
            S.DECLINED,
            {A.SECRETARIAT},
            (G.NO_OPEN_CONFLICT, G.REASONS_GIVEN),
            (E.RECORD_DECISION, E.NOTIFY_APPLICANT, E.NOTIFY_REVIEWERS),
        ),
        _rule(
            Action.SUSPEND,
            {S.RECOGNISED},
            S.SUSPENDED,
            {A.SECRETARIAT},
            (G.ALERT_SUBSTANTIATED, G.REASONS_GIVEN),
            (E.SUSPEND_RECOGNITION, E.NOTIFY_APPLICANT),
        ),
        _rule(
            Action.REINSTATE,
            {S.SUSPENDED},
            S.RECOGNISED,
            {A.SECRETARIAT},
            {G.REASONS_GIVEN},
            (E.REINSTATE_RECOGNITION, E.NOTIFY_APPLICANT),
        ),
        _rule(
            Action.EXPIRE,
            {S.RECOGNISED, S.SUSPENDED},
            S.EXPIRED,
            {A.SYSTEM},
            {G.VALIDITY_ENDED},
            (E.END_RECOGNITION, E.NOTIFY_APPLICANT),
        ),
    )
}

# Answers and evidence can change only in these states.
EDITABLE: frozenset[State] = frozenset({State.DRAFT, State.RETURNED})
# States in which reviewers may be assigned and may rate.
REVIEWABLE: frozenset[State] = frozenset({State.SUBMITTED, State.IN_REVIEW, State.RETURNED})
# States in which a recognition stands (and appears in the public registry as current).
RECOGNITION_STANDS: frozenset[State] = frozenset({State.RECOGNISED})
# States that end the workflow for this assessment.
FINAL: frozenset[State] = frozenset({State.DECLINED, State.WITHDRAWN, State.EXPIRED})


@dataclass(frozen=True)
class Facts:
    """What the guards read, gathered by the service from the database."""

    unanswered: tuple[str, ...] = ()  # applicable indicators without a rating
    unjustified: tuple[str, ...] = ()  # rated indicators without a justification
    open_questions: int = 0  # clarification threads awaiting the applicant
    required_reviews: int = 0  # completed reviews the chosen tier needs
    completed_reviews: int = 0
    open_conflicts: int = 0  # reviewers with a declared or detected conflict, not recused
    tier_shortfalls: tuple[str, ...] = ()  # tier requirements not met, e.g. "pledge"
    level_recognisable: bool = True
    reasons: str = ""
    substantiated_alerts: int = 0
    validity_ended: bool = False


@dataclass(frozen=True)
class Failure:
    """One guard that did not hold, with the details a person needs to act on it."""

    guard: Guard
    details: tuple[str, ...] = field(default=())


def _failures(guard: Guard, facts: Facts) -> list[Failure]:
    if guard is Guard.ALL_RATED_AND_JUSTIFIED:
        found = []
        if facts.unanswered:
            found.append(Failure(guard, ("unanswered", *facts.unanswered)))
        if facts.unjustified:
            found.append(Failure(guard, ("unjustified", *facts.unjustified)))
        return found
    holds = {
        Guard.QUESTION_OPEN: facts.open_questions > 0,
        Guard.QUESTIONS_ANSWERED: facts.open_questions == 0,
        Guard.REVIEWS_COMPLETE: facts.completed_reviews >= facts.required_reviews,
        Guard.NO_OPEN_CONFLICT: facts.open_conflicts == 0,
        Guard.TIER_REQUIREMENTS_MET: not facts.tier_shortfalls,
        Guard.LEVEL_RECOGNISABLE: facts.level_recognisable,
        Guard.REASONS_GIVEN: bool(facts.reasons.strip()),
        Guard.ALERT_SUBSTANTIATED: facts.substantiated_alerts > 0,
        Guard.VALIDITY_ENDED: facts.validity_ended,
    }[guard]
    if holds:
        return []
    details: tuple[str, ...] = ()
    if guard is Guard.REVIEWS_COMPLETE:
        details = (str(facts.completed_reviews), str(facts.required_reviews))
    elif guard is Guard.TIER_REQUIREMENTS_MET:
        details = facts.tier_shortfalls
    elif guard is Guard.QUESTIONS_ANSWERED:
        details = (str(facts.open_questions),)
    elif guard is Guard.NO_OPEN_CONFLICT:
        details = (str(facts.open_conflicts),)
    return [Failure(guard, details)]


class TransitionRefused(ValueError):
    """Base of the three ways an action can be refused."""


class IllegalTransition(TransitionRefused):
    """The action cannot start from the current state."""

    def __init__(self, action: Action, current: State) -> None:
        self.action = action
        self.current = current
        self.allowed_from = sorted(RULES[action].sources)
        self.allowed_actions = allowed_actions(current)
        super().__init__(
            f"cannot {action.value} from {current.value}; "
            f"{action.value} starts only from {', '.join(s.value for s in self.allowed_from)}"
        )


class ActorNotAllowed(TransitionRefused):
    """None of the actor roles the user holds may take this action."""

    def __init__(self, action: Action, actors: frozenset[Actor]) -> None:
        self.action = action
        self.actors = actors
        self.allowed_actors = sorted(RULES[action].actors)
        super().__init__(
            f"{action.value} is taken by {', '.join(a.value for a in self.allowed_actors)}"
        )


class GuardsFailed(TransitionRefused):
    """The action is allowed here, but its conditions do not hold."""

    def __init__(self, action: Action, failures: list[Failure]) -> None:
        self.action = action
        self.failures = failures
        super().__init__(f"{action.value} needs: " + ", ".join(f.guard.value for f in failures))


def check_move(current: State | str, action: Action | str, actors: Iterable[Actor | str]) -> Rule:
    """The rule for ``action`` if it may start from ``current`` and be taken by one of ``actors``.

    Guards are not read: services call this before gathering facts that cost queries.
    """
    state, move = State(current), Action(action)
    rule = RULES[move]
    if state not in rule.sources:
        raise IllegalTransition(move, state)
    roles = frozenset(Actor(a) for a in actors)
    if not roles & rule.actors:
        raise ActorNotAllowed(move, roles)
    return rule


def check(
    current: State | str, action: Action | str, actors: Iterable[Actor | str], facts: Facts
) -> Rule:
    """The rule for taking ``action`` from ``current``; raise why not when it cannot be taken.

    Checks the state first, then who acts, then every guard (all failures are reported at once).
    """
    rule = check_move(current, action, actors)
    failures = [failure for guard in rule.guards for failure in _failures(guard, facts)]
    if failures:
        raise GuardsFailed(rule.action, failures)
    return rule


def next_state(current: State | str, action: Action | str) -> State:
    """The state ``action`` leads to from ``current``; IllegalTransition when it cannot start."""
    state, move = State(current), Action(action)
    rule = RULES[move]
    if state not in rule.sources:
        raise IllegalTransition(move, state)
    return rule.target


def allowed_actions(
    current: State | str, actors: Iterable[Actor | str] | None = None
) -> list[Action]:
    """The actions that may start from ``current`` (for these actors, if given), in table order."""
    state = State(current)
    roles = None if actors is None else frozenset(Actor(a) for a in actors)
    return [
        rule.action
        for rule in RULES.values()
        if state in rule.sources and (roles is None or rule.actors & roles)
    ]


def is_editable(current: State | str) -> bool:
    """True when answers and evidence may change in this state."""
    return State(current) in EDITABLE


def is_reviewable(current: State | str) -> bool:
    """True when reviewers may be assigned and may rate in this state."""
    return State(current) in REVIEWABLE


def tier_shortfalls(
    requires: Mapping[str, bool | int], have: Mapping[str, bool | int]
) -> tuple[str, ...]:
    """The requirement names in ``requires`` that ``have`` does not meet, in order.

    Booleans must hold when required; numbers (e.g. ``reviews``) must reach the required count.
    """
    missing = []
    for name, needed in requires.items():
        got = have.get(name, 0)
        if isinstance(needed, bool):
            if needed and not got:
                missing.append(name)
        elif int(got) < needed:
            missing.append(name)
    return tuple(missing)
