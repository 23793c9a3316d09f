from django.urls import path

from . import views

urlpatterns = [
    path("", views.HomePage.as_view(), name="home"),
    path("audit/", views.AuditTrailPage.as_view(), name="audit-trail"),
]
