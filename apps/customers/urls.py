from django.urls import path

from apps.core.crud import crud_urls

from . import views

app_name = "customers"

urlpatterns = [
    *crud_urls(
        "",
        "customer",
        list_view=views.CustomerList,
        detail_view=views.CustomerDetail,
        create_view=views.CustomerCreate,
        update_view=views.CustomerUpdate,
    ),
    path("<int:pk>/contacts/new/", views.ContactPage.as_view(), name="customer-contact-create"),
    path("<int:pk>/contacts/<int:item>/edit/", views.ContactPage.as_view(), name="customer-contact-update"),
    path("<int:pk>/contacts/<int:item>/delete/", views.ContactDelete.as_view(), name="customer-contact-delete"),
    path("<int:pk>/statement/", views.CustomerStatement.as_view(), name="customer-statement"),
    path("<int:pk>/statement/print/", views.CustomerStatementPrint.as_view(), name="customer-statement-print"),
    *crud_urls(
        "complaints/",
        "complaint",
        list_view=views.ComplaintList,
        detail_view=views.ComplaintDetail,
        create_view=views.ComplaintCreate,
        update_view=views.ComplaintUpdate,
    ),
    path("complaints/<int:pk>/note/", views.ComplaintNoteAdd.as_view(), name="complaint-note"),
    path("complaints/<int:pk>/move/", views.ComplaintMove.as_view(), name="complaint-move"),
    path("complaints/<int:pk>/assign/", views.ComplaintAssign.as_view(), name="complaint-assign"),
]
