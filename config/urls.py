from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as accounts_views
from accounts.forms import DsfrSetPasswordForm
from core import views as core_views
from home import views as home_views

admin.site.site_header = "KitCoop — administration nationale"
admin.site.site_title = "KitCoop"

urlpatterns = [
    path("", home_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("healthz/<slug:component>", core_views.healthz, name="healthz_component"),
    path("accessibilite/", core_views.accessibility, name="accessibility"),
    path("mentions-legales/", core_views.legal_notice, name="legal-notice"),
    path("donnees-personnelles/", core_views.personal_data, name="personal-data"),
    path("connexion/", accounts_views.LoginView.as_view(), name="login"),
    path("deconnexion/", accounts_views.logout_view, name="logout"),
    path("proconnect/", include("accounts.proconnect_urls")),
    path("compte/", include("accounts.urls")),
    path(
        "mot-de-passe/oubli/",
        accounts_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/reinitialiser/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=DsfrSetPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/reinitialise/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("cooperations/", include("cooperations.urls")),
    path("referentiel/", include("territories.urls")),
    path("referentiel/", include("cooperations.register_urls")),
    path("kit1/", include("fiches.urls")),
    path("conventions/", include("conventions.urls")),
    path("evalimpact/", include("evalimpact.urls")),
    path("suivi/", include("suivi.urls")),
    path("notifications/", include("notifications.urls")),
    path("si/", include("si.urls")),
    path("api/v1/", include("api.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]
