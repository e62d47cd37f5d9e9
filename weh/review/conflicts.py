"""The conflict-of-interest rule for reviewers, in one place.

A reviewer conflicts with an assessment when they are a member of the owning organisation, or of
any organisation tied to it. Ties come from providers: the organisation tree is built in, and
later modules (agreements, funding) register their own with ``register_tie``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weh.accounts.models import Membership, Organisation

# A provider answers: which organisations are tied to this one, and why (a short, translated text).
TieProvider = Callable[[int], Iterable[tuple[int, str]]]

_PROVIDERS: list[TieProvider] = []


def register_tie(provider: TieProvider) -> TieProvider:
    """Add a source of ties between organisations (usable as a decorator)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


@register_tie
def _organisation_tree(organisation_id: int) -> Iterable[tuple[int, str]]:
    row = Organisation.objects.filter(pk=organisation_id).values("parent_id").first()
    if row and row["parent_id"]:
        yield row["parent_id"], str(_("parent organisation of the owner"))
    for child in Organisation.objects.filter(parent_id=organisation_id).values_list(
        "pk", flat=True
    ):
        yield child, str(_("part of the owning organisation"))


@dataclass(frozen=True)
class ConflictReason:
    organisation_id: int
    organisation: str
    why: str

    def __str__(self) -> str:
        return f"{self.organisation}: {self.why}"


def tied_organisations(organisation_id: int) -> dict[int, str]:
    """The owner and every organisation tied to it, with the reason for each."""
    tied = {organisation_id: str(_("owns the assessment"))}
    for provider in _PROVIDERS:
        for other, why in provider(organisation_id):
            tied.setdefault(other, why)
    return tied


def conflicts_of(reviewer_id: int, organisation_id: int) -> list[ConflictReason]:
    """Why the reviewer may not review for ``organisation_id`` (empty when they may)."""
    tied = tied_organisations(organisation_id)
    rows = (
        Membership.objects.filter(Q(user_id=reviewer_id) & Q(organisation_id__in=tied))
        .order_by("organisation__name")
        .values_list("organisation_id", "organisation__name")
        .distinct()
    )
    return [ConflictReason(org_id, name, tied[org_id]) for org_id, name in rows]
