"""Login and logout (django-axes counts failed logins on this form), and the users pages of
the IT admin: people, their departments and the warehouses they operate."""

from django import forms
from django.contrib.auth import views as auth_views
from django.utils.translation import gettext_lazy as _

from apps.core.pages import Column, CreatePage, DetailPage, ListPage, UpdatePage

from . import services
from .api import UserFilter
from .departments import DEPARTMENTS
from .forms import UserForm
from .models import User
from .selectors import assigned_warehouses, user_departments


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


def _department_names(user) -> str:
    # From the prefetched groups: one query for the whole page.
    names = sorted(group.name for group in user.groups.all())
    return ", ".join(str(DEPARTMENTS.get(name, name)) for name in names)


class UserPage:
    model = User
    url_base = "accounts:user"

    def get_queryset(self):
        return User.objects.prefetch_related("groups")


class UserList(UserPage, ListPage):
    filterset_class = UserFilter
    filter_fields = ("search", "groups__name", "is_active")
    api_url_name = "user-list"
    search_placeholder = _("Username, name or e-mail")
    columns = (
        Column("username", link=True, order=True),
        Column("full_name", link=True, order=True),
        Column("email"),
        Column("departments", _("departments"), value=_department_names),
        Column("is_active"),
        Column("last_login"),
        Column("date_joined", order=True),
    )

    def tune_filter_form(self, form):
        field = form.fields["groups__name"]
        field.label = _("department")
        field.widget = forms.Select(choices=[("", _("All")), *DEPARTMENTS.items()], attrs={"data-autosubmit": ""})
        super().tune_filter_form(form)


class UserDetail(UserPage, DetailPage):
    fields = (
        "username",
        "full_name",
        "email",
        "is_active",
        (_("departments"), lambda user: ", ".join(str(DEPARTMENTS.get(d, d)) for d in user_departments(user))),
        (_("warehouses"), lambda user: ", ".join(str(w) for w in assigned_warehouses(user))),
        "last_login",
        "date_joined",
    )


class UserCreate(UserPage, CreatePage):
    form_class = UserForm

    def perform(self, form):
        return services.user_create(actor=self.request.user, **form.service_data())


class UserUpdate(UserPage, UpdatePage):
    form_class = UserForm

    def perform(self, form):
        return services.user_update(user=self.object, actor=self.request.user, **form.service_data())
