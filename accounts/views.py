"""Sign-in pages (password and ProConnect), sign-out, and the account page (API tokens)."""

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods, require_POST
from mozilla_django_oidc import views as oidc_views

from accounts import proconnect, tokens
from accounts.forms import ApiTokenForm, DsfrAuthenticationForm, DsfrPasswordResetForm
from accounts.models import ApiToken
from core.forms import add_service_errors

SESSION_NEW_TOKEN = "kc_new_api_token"

RESET_LIMIT_MESSAGE = (
    "Trop de demandes de réinitialisation ont été faites pour cette adresse ou depuis "
    "votre connexion. Réessayez dans une heure ; si un lien vous a déjà été envoyé, "
    "vérifiez aussi vos courriers indésirables."
)


class PasswordResetView(auth_views.PasswordResetView):
    """Password reset, rate-limited per address and per IP (PASSWORD_RESET_LIMIT_PER_ADDRESS,
    PASSWORD_RESET_LIMIT_PER_IP per hour): no mailbox flooded, no address probed in bulk.
    The same answer is given whether the address has an account or not."""

    form_class = DsfrPasswordResetForm

    def form_valid(self, form):
        from axes.helpers import get_client_ip_address

        from core.ratelimit import allow

        email = form.cleaned_data["email"].strip().lower()
        ip = get_client_ip_address(self.request) or "inconnue"
        by_address = allow(
            f"password-reset:address:{email}",
            limit=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
            window=3600,
        )
        by_ip = allow(
            f"password-reset:ip:{ip}", limit=settings.PASSWORD_RESET_LIMIT_PER_IP, window=3600
        )
        if not (by_address and by_ip):
            form.add_error(None, RESET_LIMIT_MESSAGE)
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)


class LoginView(auth_views.LoginView):
    authentication_form = DsfrAuthenticationForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["proconnect_enabled"] = proconnect.enabled()
        context["proconnect_required_for_agents"] = (
            proconnect.enabled() and settings.PROCONNECT_REQUIRED_FOR_AGENTS
        )
        return context


@require_POST
@login_not_required
def logout_view(request):
    """Sign out of KitCoop and, after a ProConnect sign-in, of ProConnect too.

    The ID token kept at sign-in goes back to the provider's end-session endpoint as
    `id_token_hint`, with a fresh `state` checked on return (proconnect_logged_out).
    """
    id_token = request.session.get(proconnect.SESSION_ID_TOKEN)
    auth.logout(request)
    if id_token and proconnect.enabled():
        url = proconnect.end_session_url(request, id_token)
        if url:
            return redirect(url)
    messages.info(request, "Vous êtes déconnecté de KitCoop.")
    return redirect(settings.LOGOUT_REDIRECT_URL)


# --- ProConnect ---------------------------------------------------------------------------

FAILURE_STATUS = {
    proconnect.Failure.UNKNOWN: 403,
    proconnect.Failure.AMBIGUOUS: 403,
    proconnect.Failure.INACTIVE: 403,
    proconnect.Failure.STATE: 400,
    proconnect.Failure.CODE: 400,
    proconnect.Failure.TOKEN: 400,
    proconnect.Failure.DENIED: 400,
    proconnect.Failure.UNAVAILABLE: 503,
}


def proconnect_failure(request, reason: str, **details):
    return render(
        request,
        "accounts/proconnect_failure.html",
        {
            "title": "Connexion avec ProConnect impossible",
            "reason": reason,
            "details": details,
            "contact_email": settings.NATIONAL_ADMIN_EMAIL,
            "can_end_provider_session": bool(request.session.get(proconnect.SESSION_ID_TOKEN)),
        },
        status=FAILURE_STATUS.get(reason, 400),
    )


def _require_enabled():
    if not proconnect.enabled():
        raise Http404("ProConnect n'est pas activé sur ce site.")


@method_decorator(login_not_required, name="dispatch")
class ProConnectLoginView(oidc_views.OIDCAuthenticationRequestView):
    """Redirect to ProConnect's authorisation endpoint with a fresh state and nonce."""

    get_settings = staticmethod(proconnect.get_setting)

    def __init__(self, *args, **kwargs):
        # The library reads the endpoints here; they come from discovery in get().
        super(oidc_views.OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        _require_enabled()
        try:
            self.OIDC_OP_AUTH_ENDPOINT = proconnect.get_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except proconnect.ProConnectUnavailable:
            return proconnect_failure(request, proconnect.Failure.UNAVAILABLE)
        self.OIDC_RP_CLIENT_ID = settings.PROCONNECT_CLIENT_ID
        return super().get(request)


@method_decorator(login_not_required, name="dispatch")
class ProConnectCallbackView(oidc_views.OIDCAuthenticationCallbackView):
    """Back from ProConnect: check state, exchange the code, match the account."""

    get_settings = staticmethod(proconnect.get_setting)

    def get(self, request):
        _require_enabled()
        if request.GET.get("error"):
            super().get(request)  # drops the state, signs out any session
            return proconnect_failure(request, proconnect.Failure.DENIED)
        states = request.session.get("oidc_states") or {}
        if request.GET.get("state") not in states:
            # Missing, unknown or altered state: nothing is sent to the provider.
            return proconnect_failure(request, proconnect.Failure.STATE)
        try:
            return super().get(request)
        except SuspiciousOperation:
            return proconnect_failure(request, proconnect.Failure.STATE)

    def login_failure(self):
        failure = getattr(self.request, "proconnect_failure", None) or {
            "reason": proconnect.Failure.STATE
        }
        reason = failure.pop("reason")
        return proconnect_failure(self.request, reason, **failure)

    def login_success(self):
        response = super().login_success()  # auth.login(): a new session key
        self.request.session[proconnect.SESSION_METHOD] = "proconnect"
        return response


@login_not_required
def proconnect_logged_out(request):
    """Back from ProConnect's end-session endpoint: check the state, then say it."""
    expected = request.session.pop(proconnect.SESSION_LOGOUT_STATE, None)
    if expected and request.GET.get("state") == expected:
        messages.info(request, "Vous êtes déconnecté de KitCoop et de ProConnect.")
    else:
        messages.warning(
            request,
            "Vous êtes déconnecté de KitCoop. La déconnexion de ProConnect n'a pas pu être "
            "confirmée : fermez votre navigateur si vous utilisez un poste partagé.",
        )
    return redirect(settings.LOGOUT_REDIRECT_URL)


# --- account page -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def profile(request):
    """The signed-in user's account: role and scope, ProConnect identity, API tokens."""
    user = request.user
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = tokens.api_token_create(
                user=user, name=form.cleaned_data["name"], days=int(form.cleaned_data["days"])
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # Shown once, on the next page (a reload does not show it again).
            request.session[SESSION_NEW_TOKEN] = {"id": token.pk, "raw": raw}
            messages.success(request, "Le jeton a été créé. Copiez-le maintenant.")
            return redirect("accounts:profile")
    new_token = request.session.pop(SESSION_NEW_TOKEN, None)
    return render(
        request,
        "accounts/profile.html",
        {
            "title": "Mon compte",
            "form": form,
            "new_token": new_token,
            "api_tokens": list(ApiToken.objects.filter(user=user).order_by("-created_at")),
            "identity": user.proconnect_identities.order_by("-last_login_at").first(),
            "legal_entities": list(user.legal_entities.order_by("name")),
            "establishments": list(user.establishments.order_by("name")),
            "breadcrumb_data": {"current": "Mon compte"},
        },
    )


@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    tokens.api_token_revoke(token=token)
    messages.success(request, f"Le jeton « {token.name} » est révoqué.")
    return redirect("accounts:profile")
