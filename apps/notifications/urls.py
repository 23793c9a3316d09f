from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.NotificationList.as_view(), name="list"),
    path("bell/", views.BellFragment.as_view(), name="bell"),
    path("<int:pk>/read/", views.NotificationRead.as_view(), name="read"),
    path("read-all/", views.NotificationReadAll.as_view(), name="read-all"),
    path("settings/", views.PreferencesPage.as_view(), name="preferences"),
]
