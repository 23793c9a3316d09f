from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.ImportPage.as_view(), name="import"),
    path("confirm/", views.ImportConfirm.as_view(), name="confirm"),
    path("templates/<slug:kind>/", views.TemplateDownload.as_view(), name="template"),
    path("<int:pk>/", views.JobPage.as_view(), name="job"),
    path("<int:pk>/progress/", views.JobPage.as_view(), {"fragment": True}, name="job-progress"),
]
