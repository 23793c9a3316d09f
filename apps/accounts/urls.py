from django.urls import include, path

from apps.core.crud import crud_urls

from . import views

user_patterns = crud_urls(
    "",
    "user",
    list_view=views.UserList,
    detail_view=views.UserDetail,
    create_view=views.UserCreate,
    update_view=views.UserUpdate,
)

# "login" and "logout" stay un-namespaced: settings.LOGIN_URL and LOGOUT_REDIRECT_URL use them.
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("users/", include((user_patterns, "accounts"))),
]
