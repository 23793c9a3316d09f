"""The notification centre's pages: the bell (an htmx fragment the top bar loads), the list
with mark read / mark all read, and the preferences. Every logged-in user, own data only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from . import selectors, services
from .models import NotificationKind

PAGE_SIZE = 50


def _back(request, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


class BellFragment(LoginRequiredMixin, View):
    """The bell with the unread count; the top bar swaps it in and refreshes it every minute."""

    def get(self, request):
        return render(request, "notifications/_bell.html", {"unread": selectors.unread_count(user=request.user)})


class NotificationList(LoginRequiredMixin, TemplateView):
    template_name = "notifications/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        only_unread = self.request.GET.get("unread") in ("1", "true")
        queryset = selectors.notifications_for(user=user, unread=True if only_unread else None)
        page = Paginator(queryset, PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(
            title=_("Notifications"),
            page_obj=page,
            notifications=page.object_list,
            only_unread=only_unread,
            unread=selectors.unread_count(user=user),
            kinds=dict(NotificationKind.choices),
        )
        return context


class NotificationRead(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        notification = selectors.notifications_for(user=request.user).filter(pk=pk).first()
        if notification is None:
            raise Http404
        services.notification_mark_read(notification=notification, user=request.user)
        return HttpResponseRedirect(_back(request, reverse("notifications:list")))


class NotificationReadAll(LoginRequiredMixin, View):
    def post(self, request):
        marked = services.notifications_mark_all_read(user=request.user)
        messages.success(request, _("%(count)s notification(s) marked read.") % {"count": marked})
        return HttpResponseRedirect(_back(request, reverse("notifications:list")))


class PreferencesPage(LoginRequiredMixin, TemplateView):
    """One row per kind: in the app, by e-mail (checkboxes); saved all at once."""

    template_name = "notifications/preferences.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=_("Notification settings"), rows=selectors.preferences_of(user=self.request.user))
        return context

    def post(self, request):
        for row in selectors.preferences_of(user=request.user):
            kind = row["kind"]
            services.preference_set(
                user=request.user,
                kind=kind,
                in_app=request.POST.get(f"{kind}-in_app") == "on",
                email=request.POST.get(f"{kind}-email") == "on",
            )
        messages.success(request, _("Notification settings saved."))
        return HttpResponseRedirect(reverse("notifications:preferences"))
