"""Writes on users, organisations, memberships and API tokens.

Each function validates, authorises, writes in one transaction and records the audit entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weh.accounts import tokens
from weh.accounts.models import ApiToken, Membership, Organisation, OrganisationType, Role, User
from weh.core import audit, policy, ratelimit
from weh.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from weh.core.iso import is_country
from weh.core.permissions import forget_grants, get_for, grants_for

ORGANISATION_FIELDS = ("name", "acronym", "type", "country", "parent_id", "website", "description")


def _clean_organisation(values: dict[str, Any], *, instance: Organisation | None) -> None:
    errors: dict[str, list[str]] = {}
    name = str(values.get("name") or "").strip()
    if not name:
        errors.setdefault("name", []).append(_("Enter the organisation's name."))
    values["name"] = name
    if values.get("type") not in OrganisationType.values:
        errors.setdefault("type", []).append(
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(OrganisationType.values)}
        )
    country = str(values.get("country") or "").strip().upper()
    if not is_country(country):
        errors.setdefault("country", []).append(
            _("'%(code)s' is not an ISO 3166-1 alpha-2 country code (e.g. KR, FR, CN).")
            % {"code": values.get("country") or ""}
        )
    values["country"] = country
    parent_id = values.get("parent_id")
    if parent_id is not None:
        parent = Organisation.objects.filter(pk=parent_id).first()
        if parent is None:
            errors.setdefault("parent_id", []).append(
                _("No organisation has the id %(id)s.") % {"id": parent_id}
            )
        elif instance is not None:
            # Walk up from the chosen parent: meeting the organisation itself would make a cycle.
            node: Organisation | None = parent
            while node is not None:
                if node.pk == instance.pk:
                    errors.setdefault("parent_id", []).append(
                        _("An organisation cannot be its own ancestor.")
                    )
                    break
                node = node.parent
    if errors:
        raise ValidationFailed(errors)


@transaction.atomic
def create_organisation(*, actor: User, values: Mapping[str, Any]) -> Organisation:
    if not grants_for(actor).allows(policy.ORGANISATION_ADD):
        raise PermissionDenied(_("Only the secretariat can register organisations."))
    data = {key: values.get(key) for key in ORGANISATION_FIELDS}
    data["acronym"] = data["acronym"] or ""
    data["website"] = data["website"] or ""
    data["description"] = data["description"] or ""
    _clean_organisation(data, instance=None)
    organisation = Organisation.objects.create(**data)
    audit.record(
        actor=actor, action="create", target=organisation, after=audit.snapshot(organisation)
    )
    return organisation


@transaction.atomic
def update_organisation(
    *, actor: User, organisation_id: int, values: Mapping[str, Any]
) -> Organisation:
    organisation = get_for(
        Organisation.objects.select_for_update(),
        actor,
        policy.ORGANISATION_CHANGE,
        view_permission=policy.ORGANISATION_VIEW,
        pk=organisation_id,
    )
    unknown = set(values) - set(ORGANISATION_FIELDS)
    if unknown:
        raise ValidationFailed({key: [_("This field cannot be changed.")] for key in unknown})
    before = audit.snapshot(organisation)
    data = {key: getattr(organisation, key) for key in ORGANISATION_FIELDS}
    data.update(
        {
            key: ("" if value is None and key != "parent_id" else value)
            for key, value in values.items()
        }
    )
    _clean_organisation(data, instance=organisation)
    for key, value in data.items():
        setattr(organisation, key, value)
    organisation.save()
    audit.record(
        actor=actor,
        action="update",
        target=organisation,
        before=before,
        after=audit.snapshot(organisation),
    )
    return organisation


@transaction.atomic
def add_membership(*, actor: User, organisation_id: int, user_id: int, role: str) -> Membership:
    organisation = get_for(
        Organisation.objects.all(),
        actor,
        policy.MEMBERSHIP_ADD,
        view_permission=policy.ORGANISATION_VIEW,
        pk=organisation_id,
    )
    errors: dict[str, list[str]] = {}
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        errors["user_id"] = [_("No active user has the id %(id)s.") % {"id": user_id}]
    if role not in Role.values:
        errors["role"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(Role.values)}]
    elif role == Role.SECRETARIAT and organisation.type != OrganisationType.SECRETARIAT:
        errors["role"] = [_("The secretariat role exists only in the secretariat organisation.")]
    if errors:
        raise ValidationFailed(errors)
    if Membership.objects.filter(user=user, organisation=organisation, role=role).exists():
        raise Conflict(_("This person already has that role in this organisation."))
    membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    forget_grants(user)
    audit.record(actor=actor, action="create", target=membership, after=audit.snapshot(membership))
    return membership


@transaction.atomic
def remove_membership(*, actor: User, membership_id: int) -> None:
    membership = get_for(
        Membership.objects.select_related("organisation", "user"),
        actor,
        policy.MEMBERSHIP_DELETE,
        view_permission=policy.MEMBERSHIP_VIEW,
        pk=membership_id,
    )
    before = audit.snapshot(membership)
    audit.record(actor=actor, action="delete", target=membership, before=before)
    membership.delete()
    forget_grants(membership.user)


@transaction.atomic
def create_api_token(
    *, actor: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token for ``actor``; return it and the full token text, shown only this once."""
    ratelimit.hit(f"token:{actor.pk}", settings.WEH_TOKEN_RATE_LIMIT)
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the token a name, so you can recognise it later.")]
    elif len(name) > 100:
        errors["name"] = [_("Use at most 100 characters.")]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = [_("The expiry date must be in the future.")]
    if errors:
        raise ValidationFailed(errors)
    full, prefix, secret_hash = tokens.new_token()
    token = ApiToken.objects.create(
        user=actor, name=name, prefix=prefix, secret_hash=secret_hash, expires_at=expires_at
    )
    audit.record(actor=actor, action="create", target=token, after=audit.snapshot(token))
    return token, full


@transaction.atomic
def revoke_api_token(*, actor: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=actor).first()
    if token is None:
        raise NotFound(_("You have no token with the id %(id)s.") % {"id": token_id})
    if token.revoked_at is not None:
        raise Conflict(_("This token was already revoked."))
    before = audit.snapshot(token)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor, action="revoke", target=token, before=before, after=audit.snapshot(token)
    )
    return token


def authenticate_token(raw: str) -> User | None:
    """The active user behind a bearer token, or None. Records when the token was last used."""
    parts = tokens.split_token(raw.strip())
    if parts is None:
        return None
    prefix, secret = parts
    token = ApiToken.objects.active().select_related("user").filter(prefix=prefix).first()
    if token is None or not tokens.secret_matches(secret, token.secret_hash):
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    # Writing on every request would serialise reads on SQLite; a minute's precision is enough.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
