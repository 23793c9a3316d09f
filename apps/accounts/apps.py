from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = _("Accounts and departments")

    def ready(self):
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        # Django saves the whole user on every login to set last_login; that would add an empty
        # entry to the user's audit trail each time. Write the one column instead.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(record_last_login, dispatch_uid="update_last_login")

        from apps.core.audit import register_labels

        from .departments import DEPARTMENTS

        register_labels("auth.group", object_label=lambda group: str(DEPARTMENTS.get(group.name, group.name)))
        register_labels(
            "guardian.userobjectpermission",
            object_label=lambda row: f"{row.user} → {row.content_object}",
            verbose_name=_("warehouse scope"),
        )


def record_last_login(sender, user, **kwargs):
    from django.utils import timezone

    user.last_login = timezone.now()
    type(user)._default_manager.filter(pk=user.pk).update(last_login=user.last_login)
