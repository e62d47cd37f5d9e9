from __future__ import annotations

from django.urls import path

from weh.review.urls_public import urlpatterns as public_urlpatterns
from weh.review.views import workflow

app_name = "review"

urlpatterns = [
    path("review/", workflow.queue, name="queue"),
    path("review/reviewers/", workflow.reviewers, name="reviewers"),
    path("review/pledges/", workflow.pledges, name="pledges"),
    path("review/alerts/", workflow.alerts, name="alerts"),
    path("assessments/<int:assessment_id>/review/", workflow.review_page, name="assessment"),
    path(
        "assessments/<int:assessment_id>/review/reconciliation/",
        workflow.reconciliation_page,
        name="reconciliation",
    ),
    path(
        "assessments/<int:assessment_id>/review/<slug:step>/",
        workflow.review_step,
        name="step",
    ),
    path(
        "recognitions/<str:serial>/manage/<slug:step>/",
        workflow.recognition_step,
        name="recognition_step",
    ),
]

# The public registry: recognitions, maps, downloads and certificates.
urlpatterns += public_urlpatterns
