"""API permission classes. Deny by default: a view states what it needs, the departments
table (apps/accounts/departments.py) decides who has it."""

from rest_framework.permissions import DjangoModelPermissions


class DepartmentModelPermissions(DjangoModelPermissions):
    """Model permissions for the standard verbs (reads need ``view_<model>``), plus
    ``action_permissions = {"post": ["inventory.post_stockadjustment"]}`` on a viewset for its
    custom actions. Anonymous users are refused."""

    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        action = getattr(view, "action", None)
        extra = getattr(view, "action_permissions", {})
        if action in extra:
            return request.user.has_perms(extra[action])
        return super().has_permission(request, view)
