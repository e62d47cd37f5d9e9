from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from weh.core.api import api
from weh.review.wellknown import weh_keys

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path(".well-known/weh-keys.json", weh_keys, name="weh-keys"),
    path("log/", include("weh.ledger.urls")),
    path("", include("weh.assessments.urls")),
    path("", include("weh.review.urls")),
    path("", include("weh.notifications.urls")),
    path("", include("weh.finance.urls")),
    path("", include("weh.web.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
