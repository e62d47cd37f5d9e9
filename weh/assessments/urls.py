from __future__ import annotations

from django.conf import settings
from django.urls import path

from weh.assessments.views import evidence, portfolio, results, workspace

app_name = "assessments"

urlpatterns = [
    path("subjects/<int:subject_id>/assess/", workspace.start_assessment, name="start"),
    path("assessments/", workspace.assessment_list, name="list"),
    path("assessments/start/", workspace.start_pick, name="start_pick"),
    path("assessments/<int:assessment_id>/", workspace.workspace, name="workspace"),
    path(
        "assessments/<int:assessment_id>/indicators/<str:code>/",
        workspace.indicator,
        name="indicator",
    ),
    path(
        "assessments/<int:assessment_id>/indicators/<str:code>/history/",
        workspace.indicator_history,
        name="history",
    ),
    path(
        "assessments/<int:assessment_id>/indicators/<str:code>/suggestion/<str:decision>/",
        workspace.suggestion,
        name="suggestion",
    ),
    path(
        "assessments/<int:assessment_id>/indicators/<str:code>/evidence/file/",
        workspace.evidence_file,
        name="evidence_file",
    ),
    path(
        "assessments/<int:assessment_id>/indicators/<str:code>/evidence/link/",
        workspace.evidence_link,
        name="evidence_link",
    ),
    path(
        "assessments/<int:assessment_id>/evidence/<int:evidence_id>/remove/",
        workspace.evidence_remove,
        name="evidence_remove",
    ),
    path(
        "assessments/<int:assessment_id>/contributors/",
        workspace.contributor_add,
        name="contributor_add",
    ),
    path("assessments/<int:assessment_id>/submit/", workspace.submit, name="submit"),
    path("assessments/<int:assessment_id>/results/", results.results, name="results"),
    path(
        "assessments/<int:assessment_id>/action-plan.csv",
        results.action_plan_csv,
        name="action_plan_csv",
    ),
    path(
        "assessments/<int:assessment_id>/action-plan.pdf",
        results.action_plan_pdf,
        name="action_plan_pdf",
    ),
    path("assessments/<int:assessment_id>/compare/", results.compare_pick, name="compare_pick"),
    path(
        "assessments/<int:assessment_id>/compare/<int:other_id>/",
        results.compare,
        name="compare",
    ),
    path("organisations/<int:organisation_id>/portfolio/", portfolio.portfolio, name="portfolio"),
    path(
        "organisations/<int:organisation_id>/portfolio.csv",
        portfolio.portfolio_csv,
        name="portfolio_csv",
    ),
    path(
        "evidence/<int:evidence_id>/download/", evidence.evidence_download, name="evidence_download"
    ),
]

# weh/urls.py serves MEDIA_URL while debugging; evidence must never be reachable that way, only
# through the download view above, which checks who is asking. This pattern comes first.
_media = settings.MEDIA_URL.lstrip("/")
if _media and "//" not in settings.MEDIA_URL:
    urlpatterns.append(
        path(f"{_media}evidence/<path:rest>", evidence.evidence_not_served, name="evidence_media")
    )
