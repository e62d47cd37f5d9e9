import pytest
from tests.factories import SubjectFactory, SQUARE


@pytest.mark.browser
def test_scratch(page, applicant, sign_in, page_log):
    s = SubjectFactory(
        owner=applicant.memberships.first().organisation
        if hasattr(applicant, "memberships")
        else None,
        kind="protected_area",
        geometry=SQUARE,
        geometry_kind="Polygon",
        geometry_area_km2=102.5,
        centroid_lon=126.55,
        centroid_lat=33.35,
        bbox=[126.5, 33.3, 126.6, 33.4],
    )
    page.goto("/accounts/login/")
    print(page.content())
    page.screenshot(path="/tmp/shots/login.png", full_page=True)
    sign_in(applicant.username)
    print(page.url)
    page.goto(f"/subjects/{s.pk}/")
    page.wait_for_timeout(500)
    page.screenshot(path="/tmp/shots/detail.png", full_page=True)
    page.goto("/subjects/new/")
    page.screenshot(path="/tmp/shots/form.png", full_page=True)
    page.goto("/subjects/")
    page.screenshot(path="/tmp/shots/list.png", full_page=True)
    print(page_log.texts())
