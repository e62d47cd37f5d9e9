"""notify, preferences and reading: who is told what, how, and only once when asked."""

from __future__ import annotations

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from tests.factories import UserFactory
from weh.core.errors import NotFound, ValidationFailed
from weh.core.models import AuditEntry
from weh.notifications import selectors, services
from weh.notifications.models import Notice, NoticeKind, NotificationPreference

pytestmark = pytest.mark.django_db


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("mail server down")


def tell(users, **overrides):  # type: ignore[no-untyped-def]
    values = {
        "users": users,
        "kind": NoticeKind.DECISION,
        "title": "Your assessment was accepted",
        "body": "The reviewers accepted the assessment of Jeju.",
        "url": "/assessments/4/",
    }
    values.update(overrides)
    return services.notify(**values)


def test_notify_creates_a_notice_and_mails_once_committed(
    applicant, outsider, mailoutbox, django_capture_on_commit_callbacks, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.WEH_SITE_URL = "https://hub.example.org"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        # The same person twice is told once.
        notices = tell([applicant, outsider, applicant])
        assert mailoutbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    assert {n.user for n in notices} == {applicant, outsider}
    assert selectors.unread_count(applicant) == 1
    assert [n.title for n in selectors.notices_for(applicant)] == ["Your assessment was accepted"]
    assert sorted(m.to[0] for m in mailoutbox) == sorted([applicant.email, outsider.email])
    mail = next(m for m in mailoutbox if m.to == [applicant.email])
    assert mail.subject == "Your assessment was accepted"
    assert "The reviewers accepted the assessment of Jeju." in mail.body
    assert "https://hub.example.org/assessments/4/" in mail.body
    assert "https://hub.example.org/notices/preferences/" in mail.body
    assert Notice.objects.filter(emailed_at__isnull=False).count() == 2


def test_inactive_users_are_not_told(applicant, mailoutbox, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    applicant.is_active = False
    applicant.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert tell([applicant]) == []
    assert Notice.objects.count() == 0
    assert mailoutbox == []


def test_in_app_off_mails_but_keeps_the_inbox_empty(
    applicant, mailoutbox, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    services.set_preferences(actor=applicant, choices={NoticeKind.DECISION: (False, True)})
    with django_capture_on_commit_callbacks(execute=True):
        tell([applicant])
    assert list(selectors.notices_for(applicant)) == []
    assert selectors.unread_count(applicant) == 0
    assert [m.to for m in mailoutbox] == [[applicant.email]]


def test_email_off_keeps_the_notice_in_the_inbox_only(
    applicant, mailoutbox, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    services.set_preferences(actor=applicant, choices={NoticeKind.DECISION: (True, False)})
    with django_capture_on_commit_callbacks(execute=True):
        tell([applicant])
        # Other kinds keep the defaults.
        tell([applicant], kind=NoticeKind.ASSIGNMENT, title="Please review Jeju")
    assert selectors.unread_count(applicant) == 2
    assert [m.subject for m in mailoutbox] == ["Please review Jeju"]


def test_both_off_tells_nothing(applicant, mailoutbox, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    services.set_preferences(actor=applicant, choices={NoticeKind.DECISION: (False, False)})
    with django_capture_on_commit_callbacks(execute=True):
        assert tell([applicant]) == []
    assert Notice.objects.count() == 0
    assert mailoutbox == []


def test_users_without_an_address_get_the_notice_but_no_mail(
    mailoutbox, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    nameless = UserFactory(email="")
    with django_capture_on_commit_callbacks(execute=True):
        notices = tell([nameless])
    assert len(notices) == 1
    assert notices[0].emailed_at is None
    assert mailoutbox == []


def test_dedupe_key_tells_each_person_once(
    applicant, outsider, mailoutbox, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    values = {"kind": NoticeKind.RENEWAL_DUE, "dedupe_key": "renewal:7:2030-01-01"}
    with django_capture_on_commit_callbacks(execute=True):
        assert len(tell([applicant], **values)) == 1
        # The next daily run: the applicant was told already, the outsider is new.
        assert [n.user for n in tell([applicant, outsider], **values)] == [outsider]
        # Another key, or another kind with the same key, is a new notice.
        assert len(tell([applicant], kind=NoticeKind.RENEWAL_DUE, dedupe_key="other")) == 1
        assert len(tell([applicant], dedupe_key="renewal:7:2030-01-01")) == 1
    assert len(mailoutbox) == 4


def test_dedupe_key_holds_for_people_who_want_only_mail(
    applicant, mailoutbox, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    services.set_preferences(actor=applicant, choices={NoticeKind.RENEWAL_DUE: (False, True)})
    with django_capture_on_commit_callbacks(execute=True):
        tell([applicant], kind=NoticeKind.RENEWAL_DUE, dedupe_key="renewal:7")
        tell([applicant], kind=NoticeKind.RENEWAL_DUE, dedupe_key="renewal:7")
    assert len(mailoutbox) == 1


def failing_write(user) -> None:  # type: ignore[no-untyped-def]
    with transaction.atomic():
        tell([user])
        raise RuntimeError("the decision could not be saved")


def test_a_rolled_back_write_mails_nothing(
    applicant, mailoutbox, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    other = UserFactory()
    # Whatever survives to the commit would run here; a rolled-back block's callbacks do not.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            failing_write(applicant)
        tell([other], title="Kept")
    assert len(callbacks) == 1
    assert list(Notice.objects.values_list("user", flat=True)) == [other.pk]
    assert [(m.subject, m.to) for m in mailoutbox] == [("Kept", [other.email])]


def test_a_failing_mail_server_is_logged_not_raised(
    applicant, settings, caplog, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        notices = tell([applicant])
    assert selectors.unread_count(applicant) == 1
    assert Notice.objects.get(pk=notices[0].pk).emailed_at is None
    assert "Could not e-mail notice" in caplog.text


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/", "assessments/4/"])
def test_notify_refuses_links_off_the_site(applicant, url: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="path on this site"):
        tell([applicant], url=url)


def test_notify_refuses_an_unknown_kind(applicant) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="Unknown notice kind"):
        tell([applicant], kind="gossip")


def test_mark_read_only_for_ones_own_notices(applicant, outsider) -> None:  # type: ignore[no-untyped-def]
    (notice,) = tell([applicant])
    with pytest.raises(NotFound):
        services.mark_read(actor=outsider, notice_id=notice.pk)
    assert Notice.objects.get(pk=notice.pk).read_at is None
    assert services.mark_read(actor=applicant, notice_id=notice.pk).read_at is not None
    assert selectors.unread_count(applicant) == 0


def test_mark_all_read_touches_only_ones_own(applicant, outsider) -> None:  # type: ignore[no-untyped-def]
    tell([applicant, outsider])
    tell([applicant], kind=NoticeKind.ASSIGNMENT)
    assert services.mark_all_read(actor=applicant) == 2
    assert selectors.unread_count(applicant) == 0
    assert selectors.unread_count(outsider) == 1
    assert services.mark_all_read(actor=applicant) == 0


def test_set_preferences_validates_kinds_and_audits_changes(applicant) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as caught:
        services.set_preferences(
            actor=applicant, choices={"gossip": (True, False), NoticeKind.ALERT: (False, False)}
        )
    assert "gossip" in caught.value.errors["kind"][0]
    assert NotificationPreference.objects.count() == 0  # nothing half-saved

    # Both on is the default: no row, no audit entry.
    services.set_preferences(actor=applicant, choices={NoticeKind.ALERT: (True, True)})
    assert NotificationPreference.objects.count() == 0
    services.set_preferences(actor=applicant, choices={NoticeKind.ALERT: (True, False)})
    services.set_preferences(actor=applicant, choices={NoticeKind.ALERT: (True, False)})
    services.set_preferences(actor=applicant, choices={NoticeKind.ALERT: (False, True)})
    entries = AuditEntry.objects.filter(target_type="notifications.notificationpreference")
    assert sorted(entries.values_list("action", flat=True)) == ["create", "update"]
    update = entries.get(action="update")
    assert (update.before["email"], update.after["email"]) == (False, True)

    rows = {row.kind: row for row in selectors.preferences_for(applicant)}
    assert list(rows) == NoticeKind.values
    assert (rows["alert"].in_app, rows["alert"].email) == (False, True)
    assert (rows["decision"].in_app, rows["decision"].email) == (True, True)
    assert rows["decision"].description
