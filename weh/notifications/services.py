"""Writes on notices and preferences, and sending them by e-mail.

Other apps call ``notify`` inside their own transaction: the notices commit or roll back with
the change they announce, and the e-mails leave only after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from weh.accounts.models import User
from weh.core import audit
from weh.core.errors import NotFound, ValidationFailed
from weh.notifications.models import Notice, NoticeKind, NotificationPreference

logger = logging.getLogger("weh.notifications")


def is_site_path(url: str) -> bool:
    """Whether ``url`` is a path on this site: starts with one "/", no scheme, host or backslash."""
    return (
        url.startswith("/")
        and not url.startswith("//")
        and "\\" not in url
        and not any(ord(c) < 32 or ord(c) == 127 for c in url)
    )


def _wanted(users: Iterable[User], kind: str) -> dict[int, tuple[bool, bool]]:
    ids = [user.pk for user in users]
    chosen = {
        user_id: (in_app, email)
        for user_id, in_app, email in NotificationPreference.objects.filter(
            user_id__in=ids, kind=kind
        ).values_list("user_id", "in_app", "email")
    }
    return {user_id: chosen.get(user_id, (True, True)) for user_id in ids}


@transaction.atomic
def notify(
    *,
    users: Iterable[User],
    kind: str,
    title: str,
    body: str,
    url: str,
    dedupe_key: str | None = None,
) -> list[Notice]:
    """Tell each distinct active user in ``users`` about something, in the inbox and/or by e-mail.

    Returns the notices created, including those only e-mailed (``in_app=False``). With a
    ``dedupe_key``, a user who already has a notice of this kind with that key is skipped.
    """
    # Programming errors, not user input: fail loudly in development and tests.
    if kind not in NoticeKind.values:
        raise ValueError(f"Unknown notice kind: {kind!r}")
    if url and not is_site_path(url):
        raise ValueError(f"A notice links to a path on this site, not {url!r}")
    if dedupe_key is not None and not 0 < len(dedupe_key) <= 200:
        raise ValueError("A dedupe key has 1 to 200 characters")

    distinct: dict[int, User] = {}
    for user in users:
        if user.is_active and user.pk not in distinct:
            distinct[user.pk] = user
    if not distinct:
        return []
    if dedupe_key:
        already = set(
            Notice.objects.filter(
                user_id__in=distinct, kind=kind, dedupe_key=dedupe_key
            ).values_list("user_id", flat=True)
        )
        for user_id in already:
            del distinct[user_id]

    wanted = _wanted(distinct.values(), kind)
    # Subjects are one line: a newline in a header is refused by the mail library.
    title = " ".join(title.split())[:200]
    notices: list[Notice] = []
    to_mail: list[int] = []
    for user_id, user in distinct.items():
        in_app, email = wanted[user_id]
        email = email and bool(user.email)
        if not (in_app or email):
            continue
        notice = Notice(
            user=user,
            kind=kind,
            title=title,
            body=body,
            url=url,
            in_app=in_app,
            dedupe_key=dedupe_key or "",
        )
        if dedupe_key:
            # A concurrent run may have written the same key since the check above.
            try:
                with transaction.atomic():
                    notice.save()
            except IntegrityError:
                continue
        else:
            notice.save()
        notices.append(notice)
        if email:
            to_mail.append(notice.pk)
    if to_mail:
        # robust: even an unforeseen error while mailing must not surface in the caller's request.
        transaction.on_commit(partial(send_emails, to_mail), robust=True)
    return notices


def _message(notice: Notice, connection: BaseEmailBackend) -> EmailMessage:
    user = notice.user
    language = getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        parts = [notice.body.strip()] if notice.body.strip() else []
        if notice.url:
            parts.append(_("Open it here: %(link)s") % {"link": settings.WEH_SITE_URL + notice.url})
        parts.append(
            "-- \n"
            + _("You receive this because of your notification settings: %(link)s")
            % {"link": settings.WEH_SITE_URL + reverse("notifications:preferences")}
        )
    return EmailMessage(
        subject=notice.title,
        body="\n\n".join(parts) + "\n",
        to=[user.email],
        connection=connection,
    )


def send_emails(notice_ids: list[int]) -> int:
    """Mail the given notices now; return how many left. Failures are logged, never raised:
    the change they announce is already committed and must not look as if it failed."""
    sent = 0
    try:
        notices = list(
            Notice.objects.filter(pk__in=notice_ids, emailed_at__isnull=True).select_related("user")
        )
        connection = get_connection()
    except Exception:
        logger.exception("Could not prepare the e-mails for notices %s", notice_ids)
        return 0
    for notice in notices:
        try:
            connection.send_messages([_message(notice, connection)])
        except Exception:
            logger.exception("Could not e-mail notice %s to user %s", notice.pk, notice.user_id)
            continue
        Notice.objects.filter(pk=notice.pk).update(emailed_at=timezone.now())
        sent += 1
    try:
        connection.close()
    except Exception:
        logger.exception("Could not close the mail connection")
    return sent


@transaction.atomic
def mark_read(*, actor: User, notice_id: int) -> Notice:
    notice = (
        Notice.objects.select_for_update().filter(pk=notice_id, user=actor, in_app=True).first()
    )
    if notice is None:
        raise NotFound(_("You have no notice with the id %(id)s.") % {"id": notice_id})
    # Reading is not a change anyone must answer for: no audit entry, or the trail would drown.
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice


@transaction.atomic
def mark_all_read(*, actor: User) -> int:
    """Mark every unread notice of ``actor`` read; return how many were unread."""
    return Notice.objects.filter(user=actor, in_app=True, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def set_preferences(*, actor: User, choices: Mapping[str, tuple[bool, bool]]) -> None:
    """Set ``actor``'s (in_app, email) choice for each kind given; other kinds keep theirs."""
    unknown = [kind for kind in choices if kind not in NoticeKind.values]
    if unknown:
        raise ValidationFailed(
            {
                "kind": [
                    _("“%(kind)s” is not a kind of notice. Choose from: %(choices)s.")
                    % {"kind": kind, "choices": ", ".join(NoticeKind.values)}
                    for kind in unknown
                ]
            }
        )
    existing = {
        pref.kind: pref
        for pref in NotificationPreference.objects.select_for_update().filter(user=actor)
    }
    for kind, (in_app, email) in choices.items():
        in_app, email = bool(in_app), bool(email)
        pref = existing.get(kind)
        if pref is None:
            if in_app and email:
                continue  # No row already means both on; saving the form must not add rows.
            pref = NotificationPreference.objects.create(
                user=actor, kind=kind, in_app=in_app, email=email
            )
            audit.record(actor=actor, action="create", target=pref, after=audit.snapshot(pref))
        elif (pref.in_app, pref.email) != (in_app, email):
            before = audit.snapshot(pref)
            pref.in_app, pref.email = in_app, email
            pref.save(update_fields=["in_app", "email"])
            audit.record(
                actor=actor,
                action="update",
                target=pref,
                before=before,
                after=audit.snapshot(pref),
            )
