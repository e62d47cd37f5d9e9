"""The inbox, opening a notice, and the settings form."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory

from weh.notifications import selectors, services
from weh.notifications.models import Notice, NoticeKind

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def notice_for(user, **values) -> Notice:  # type: ignore[no-untyped-def]
    fields = {
        "kind": NoticeKind.ASSIGNMENT,
        "title": "Please review the assessment of Jeju",
        "body": "",
        "url": "/assessments/4/",
    }
    fields.update(values)
    return Notice.objects.create(user=user, **fields)


def test_inbox_lists_own_notices_and_opening_one_marks_it_read(applicant, outsider) -> None:  # type: ignore[no-untyped-def]
    notice = notice_for(applicant)
    notice_for(outsider, title="Not for the applicant")
    client = signed_in(applicant)
    html = client.get("/notices/").content.decode()
    assert "Please review the assessment of Jeju" in html
    assert "Not for the applicant" not in html
    assert "notice-unread" in html
    assert "You have 1 unread notice." in html

    response = client.post(f"/notices/{notice.pk}/read/")
    assert response.status_code == 302
    assert response["Location"] == "/assessments/4/"
    assert selectors.unread_count(applicant) == 0
    assert "notice-unread" not in client.get("/notices/").content.decode()


def test_opening_needs_post(applicant) -> None:  # type: ignore[no-untyped-def]
    notice = notice_for(applicant)
    assert signed_in(applicant).get(f"/notices/{notice.pk}/read/").status_code == 405
    assert Notice.objects.get(pk=notice.pk).read_at is None


@pytest.mark.parametrize(
    "url",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)", ""],
)
def test_opening_follows_only_paths_on_this_site(applicant, url: str) -> None:  # type: ignore[no-untyped-def]
    # Written directly: notify itself refuses such links, this guards the redirect anyway.
    notice = notice_for(applicant, url=url)
    response = signed_in(applicant).post(f"/notices/{notice.pk}/read/")
    assert response["Location"] == "/notices/"


def test_one_cannot_open_someone_elses_notice(applicant, outsider) -> None:  # type: ignore[no-untyped-def]
    notice = notice_for(applicant)
    assert signed_in(outsider).post(f"/notices/{notice.pk}/read/").status_code == 404
    assert Notice.objects.get(pk=notice.pk).read_at is None


def test_mark_all_read_button(applicant) -> None:  # type: ignore[no-untyped-def]
    notice_for(applicant)
    notice_for(applicant, title="Another")
    client = signed_in(applicant)
    assert "Mark all read" in client.get("/notices/").content.decode()
    response = client.post("/notices/read-all/", follow=True)
    assert "2 notices were marked read." in response.content.decode()
    assert selectors.unread_count(applicant) == 0


def test_inbox_pages_by_fifty(applicant) -> None:  # type: ignore[no-untyped-def]
    Notice.objects.bulk_create(
        Notice(user=applicant, kind=NoticeKind.EXPIRY, title=f"Notice {i}") for i in range(51)
    )
    client = signed_in(applicant)
    first = client.get("/notices/").content.decode()
    assert first.count('class="notice-link"') == 50
    assert "Page 1 of 2" in first
    assert client.get("/notices/?page=2").content.decode().count('class="notice-link"') == 1


def test_preferences_form_saves_and_shows_the_saved_state(applicant) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(applicant)
    html = client.get("/notices/preferences/").content.decode()
    assert html.count(" checked") == 2 * len(NoticeKind.values)  # the defaults: all on
    assert "You were assigned to review an assessment." in html

    # Everything ticked except decisions by e-mail and alerts altogether.
    kinds = [k for k in NoticeKind.values if k != NoticeKind.ALERT]
    response = client.post(
        "/notices/preferences/",
        {"in_app": kinds, "email": [k for k in kinds if k != NoticeKind.DECISION]},
        follow=True,
    )
    html = response.content.decode()
    assert "Your notification settings were saved." in html
    assert 'id="email-decision" name="email" value="decision" aria' in html
    assert 'id="in-app-decision" name="in_app" value="decision" checked' in html
    assert 'id="in-app-alert" name="in_app" value="alert" aria' in html
    assert html.count(" checked") == 2 * len(NoticeKind.values) - 3
    rows = {row.kind: (row.in_app, row.email) for row in selectors.preferences_for(applicant)}
    assert rows["decision"] == (True, False)
    assert rows["alert"] == (False, False)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/notices/"),
        ("get", "/notices/preferences/"),
        ("post", "/notices/1/read/"),
        ("post", "/notices/read-all/"),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(method: str, path: str) -> None:
    response = getattr(Client(), method)(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_unread_notices_tag(applicant, rf: RequestFactory) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser

    template = Template("{% load notices %}{% unread_notices as n %}[{{ n }}]{% unread_notices %}")
    request = rf.get("/")
    request.user = AnonymousUser()
    assert template.render(Context({"request": request})) == "[0]0"
    services.notify(users=[applicant], kind=NoticeKind.DECISION, title="Decided", body="", url="/")
    request = rf.get("/")
    request.user = applicant
    assert template.render(Context({"request": request})) == "[1]1"


def test_admin_shows_notices_read_only_and_edits_preferences(applicant) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import UserFactory

    admin_user = UserFactory(is_staff=True, is_superuser=True)
    notice = notice_for(applicant)
    client = signed_in(admin_user)
    assert "Please review" in client.get("/admin/notifications/notice/").content.decode()
    detail = client.get(f"/admin/notifications/notice/{notice.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert client.get("/admin/notifications/notice/add/").status_code == 403
    response = client.post(
        "/admin/notifications/notificationpreference/add/",
        {"user": applicant.pk, "kind": NoticeKind.ALERT, "email": "on"},
    )
    assert response.status_code == 302
    rows = {row.kind: (row.in_app, row.email) for row in selectors.preferences_for(applicant)}
    assert rows["alert"] == (False, True)
