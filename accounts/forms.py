from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError

from core.forms import DsfrForm, DsfrFormMixin

PROCONNECT_REQUIRED = (
    "Les agents d'ARS se connectent à KitCoop avec ProConnect : utilisez le bouton "
    "« S'identifier avec ProConnect »."
)


class DsfrAuthenticationForm(DsfrFormMixin, AuthenticationForm):
    submit_label = "Se connecter"
    error_messages = {
        "invalid_login": (
            "Identifiant ou mot de passe incorrect. Vérifiez votre saisie (les majuscules "
            "comptent)."
        ),
        "inactive": "Ce compte est désactivé. Contactez votre administrateur.",
        "proconnect_required": PROCONNECT_REQUIRED,
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Identifiant"
        self.fields["password"].label = "Mot de passe"

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        # Checked once the password is known to be right, so that the message tells
        # nothing about an account to someone who does not hold its password.
        from accounts import proconnect
        from accounts.models import Role

        if (
            settings.PROCONNECT_REQUIRED_FOR_AGENTS
            and proconnect.enabled()
            and user.role == Role.ARS_AGENT
        ):
            raise ValidationError(
                self.error_messages["proconnect_required"], code="proconnect_required"
            )


class DsfrPasswordResetForm(DsfrFormMixin, PasswordResetForm):
    submit_label = "Recevoir un lien de réinitialisation"


class DsfrSetPasswordForm(DsfrFormMixin, SetPasswordForm):
    submit_label = "Enregistrer le nouveau mot de passe"


class ApiTokenForm(DsfrForm):
    submit_label = "Créer le jeton"

    name = forms.CharField(
        label="Nom du jeton",
        max_length=100,
        help_text="Pour vous y retrouver : l'outil ou le tableau de bord qui l'utilisera.",
    )
    days = forms.TypedChoiceField(
        label="Durée de validité",
        coerce=int,
        initial=90,
        choices=[],
    )

    def __init__(self, *args, **kwargs):
        from accounts.tokens import VALIDITY_CHOICES

        super().__init__(*args, **kwargs)
        self.fields["days"].choices = VALIDITY_CHOICES
