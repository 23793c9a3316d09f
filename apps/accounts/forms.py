from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.pages import ServiceForm
from apps.inventory.models import Warehouse

from .departments import DEPARTMENTS
from .models import User
from .selectors import assigned_warehouses, user_departments


class UserForm(ServiceForm):
    """A person's profile, departments and warehouses (IT admin). The password is set only
    when typed; ``user_create``/``user_update`` check its strength."""

    password = forms.CharField(
        label=_("password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
    )
    departments = forms.MultipleChoiceField(
        label=_("departments"), required=False, choices=list(DEPARTMENTS.items()), widget=forms.CheckboxSelectMultiple
    )
    warehouses = forms.ModelMultipleChoiceField(
        label=_("warehouses"),
        required=False,
        queryset=Warehouse.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Warehouses this person operates. Management and IT see every warehouse."),
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["password"].help_text = _("Leave empty to keep the current password.")
            self.initial.setdefault("departments", user_departments(self.instance))
            self.initial.setdefault("warehouses", [w.pk for w in assigned_warehouses(self.instance)])
        else:
            self.fields["password"].required = True

    def service_data(self):
        data = super().service_data()
        data["warehouses"] = list(data.get("warehouses") or [])
        if not data.get("password"):
            data.pop("password", None)
        return data
