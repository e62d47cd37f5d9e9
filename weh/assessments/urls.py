from __future__ import annotations

from django.conf import settings
from django.urls import path

from weh.assessments import views

app_name = "assessments"

urlpatterns = [
    path("subjects/<int:subject_id>/assess/", views.start_assessment, name="start"),
    path("assessments/", views.assessment_list, name="list"),
    path("assessments/start/", views.start_pick, name="start_pick"),
    path("assessments/<int:assessment_id>/", views.workspace, name="workspace"),
    path(
        "assessments/<int:assessment_id>/indicators/<str:code>/",
        views.indicator,
        name="indicator",
    ),
    path(
        "assessments/<int:assessment_id>/indicators/<str:code>/history/",
        views.indicator_history,
        name="history",
    ),
    path(
        "assessments/<int:assessment_id>/indicators/<str:code>/suggestion/<str:decision>/",
        views.suggestion,
        name="suggestion",
    ),
    path(
        "assessments/<int:assessment_id>/indicators/<str:code>/evidence/file/",
        views.evidence_file,
        name="evidence_file",
    ),
    path(
        "assessments/<int:assessment_id>/indicators/<str:code>/evidence/link/",
        views.evidence_link,
        name="evidence_link",
    ),
    path(
        "assessments/<int:assessment_id>/evidence/<int:evidence_id>/remove/",
        views.evidence_remove,
        name="evidence_remove",
    ),
    path(
        "assessments/<int:assessment_id>/contributors/",
        views.contributor_add,
        name="contributor_add",
    ),
    path("assessments/<int:assessment_id>/submit/", views.submit, name="submit"),
    path("assessments/<int:assessment_id>/results/", views.results, name="results"),
    path(
        "assessments/<int:assessment_id>/action-plan.csv",
        views.action_plan_csv,
        name="action_plan_csv",
    ),
    path(
        "assessments/<int:assessment_id>/action-plan.pdf",
        views.action_plan_pdf,
        name="action_plan_pdf",
    ),
    path("assessments/<int:assessment_id>/compare/", views.compare_pick, name="compare_pick"),
    path(
        "assessments/<int:assessment_id>/compare/<int:other_id>/",
        views.compare,
        name="compare",
    ),
    path("organisations/<int:organisation_id>/portfolio/", views.portfolio, name="portfolio"),
    path(
        "organisations/<int:organisation_id>/portfolio.csv",
        views.portfolio_csv,
        name="portfolio_csv",
    ),
    path("evidence/<int:evidence_id>/download/", views.evidence_download, name="evidence_download"),
]

# weh/urls.py serves MEDIA_URL while debugging; evidence must never be reachable that way, only
# through the download view above, which checks who is asking. This pattern comes first.
_media = settings.MEDIA_URL.lstrip("/")
if _media and "//" not in settings.MEDIA_URL:
    urlpatterns.append(
        path(f"{_media}evidence/<path:rest>", views.evidence_not_served, name="evidence_media")
    )
