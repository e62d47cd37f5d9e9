from django.urls import path

from weh.notifications import views

app_name = "notifications"

urlpatterns = [
    path("notices/", views.inbox, name="inbox"),
    path("notices/read-all/", views.read_all, name="read_all"),
    path("notices/preferences/", views.preferences, name="preferences"),
    path("notices/<int:notice_id>/read/", views.read, name="read"),
]
