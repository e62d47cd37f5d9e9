"""Loads the demo data set (``registry.yaml`` beside this file) through the services."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from weh.accounts import services as accounts_services
from weh.accounts.models import Membership, Organisation, User
from weh.demo.assessments import load_demo_assessments
from weh.demo.finance import load_demo_finance
from weh.demo.review import load_demo_review
from weh.registry import services as registry_services
from weh.registry.models import Subject
from weh.standards.services import load_catalog

DATA_FILE = Path(__file__).with_name("registry.yaml")


def read_demo_data(path: Path = DATA_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def demo_loaded() -> bool:
    return Organisation.objects.exists() or Subject.objects.exists()


@transaction.atomic
def load_demo(path: Path = DATA_FILE) -> dict[str, int]:
    """Create the demo organisations, users, memberships, subjects and assessments; count them."""
    data = read_demo_data(path)
    admin_spec = next(u for u in data["users"] if u.get("staff"))
    admin = _user(admin_spec)
    orgs: dict[str, Organisation] = {}
    for spec in data["organisations"]:
        values = {
            "name": spec["name"],
            "acronym": spec.get("acronym", ""),
            "type": spec["type"],
            "country": spec["country"],
            "parent_id": orgs[spec["parent"]].pk if spec.get("parent") else None,
            "website": spec.get("website", ""),
            "description": spec.get("description", ""),
        }
        orgs[spec["key"]] = accounts_services.create_organisation(actor=admin, values=values)
    users = 0
    for spec in data["users"]:
        user = admin if spec is admin_spec else _user(spec)
        users += 1
        for membership in spec.get("memberships", []):
            accounts_services.add_membership(
                actor=admin,
                organisation_id=orgs[membership["org"]].pk,
                user_id=user.pk,
                role=membership["role"],
            )
    subjects = 0
    for spec in data["subjects"]:
        values = {
            key: value
            for key, value in spec.items()
            if key not in {"key", "owner", "published", "names"}
        }
        names = dict(spec.get("names", {}))
        values["name"] = names.pop("en", spec["key"])
        values["names"] = names
        values["owner_id"] = orgs[spec["owner"]].pk
        subject = registry_services.create_subject(actor=admin, values=values)
        if spec.get("published"):
            registry_services.publish_subject(actor=admin, subject_id=subject.pk)
        subjects += 1
    load_catalog()
    assessments = load_demo_assessments(admin)
    recognitions = load_demo_review(User.objects.in_bulk(field_name="username"))
    commitments = load_demo_finance(User.objects.in_bulk(field_name="username"))
    return {
        "organisations": len(orgs),
        "users": users,
        "memberships": Membership.objects.count(),
        "subjects": subjects,
        "assessments": assessments,
        "recognitions": recognitions,
        "commitments": commitments,
    }


def _user(spec: dict[str, Any]) -> User:
    user = User(
        username=spec["username"],
        email=spec.get("email", ""),
        first_name=spec.get("first_name", ""),
        last_name=spec.get("last_name", ""),
        is_staff=bool(spec.get("staff")),
        is_superuser=bool(spec.get("staff")),
    )
    user.set_password(spec["password"])
    user.save()
    return user
