from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm

from core.forms import DsfrFormMixin


class DsfrAuthenticationForm(DsfrFormMixin, AuthenticationForm):
    submit_label = "Se connecter"
    error_messages = {
        "invalid_login": (
            "Identifiant ou mot de passe incorrect. Vérifiez votre saisie (les majuscules "
            "comptent)."
        ),
        "inactive": "Ce compte est désactivé. Contactez votre administrateur.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Identifiant"
        self.fields["password"].label = "Mot de passe"


class DsfrPasswordResetForm(DsfrFormMixin, PasswordResetForm):
    submit_label = "Recevoir un lien de réinitialisation"


class DsfrSetPasswordForm(DsfrFormMixin, SetPasswordForm):
    submit_label = "Enregistrer le nouveau mot de passe"
