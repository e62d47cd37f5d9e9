from django.urls import path

from weh.accounts import views as accounts_views
from weh.core import views as core_views
from weh.registry import views as registry_views
from weh.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("subjects/", registry_views.subject_list, name="subject_list"),
    path("subjects/new/", registry_views.subject_create, name="subject_create"),
    path("subjects/<int:subject_id>/", registry_views.subject_detail, name="subject_detail"),
    path("subjects/<int:subject_id>/edit/", registry_views.subject_edit, name="subject_edit"),
    path(
        "subjects/<int:subject_id>/<str:action>/",
        registry_views.subject_action,
        name="subject_action",
    ),
    path("organisations/", accounts_views.organisation_list, name="organisation_list"),
    path(
        "organisations/<int:organisation_id>/",
        accounts_views.organisation_detail,
        name="organisation_detail",
    ),
    path("me/organisations/", accounts_views.my_organisations, name="my_organisations"),
    path("me/tokens/", accounts_views.token_list, name="token_list"),
    path("me/tokens/<int:token_id>/revoke/", accounts_views.token_revoke, name="token_revoke"),
    path("audit/", core_views.audit_list, name="audit_list"),
]
