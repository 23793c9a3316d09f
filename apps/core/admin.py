from simple_history.admin import SimpleHistoryAdmin

from .services import record_save


class MasterDataAdmin(SimpleHistoryAdmin):
    """Admin edits go through the same save path as the API and pages (validation, pinyin
    index, audit user)."""

    def save_model(self, request, obj, form, change):
        record_save(obj, user=request.user, fields={})


class ReadOnlyAdminMixin:
    """Documents, their lines and open items change only through their services (numbering,
    stock, payables): the admin shows them and writes nothing."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    pass
