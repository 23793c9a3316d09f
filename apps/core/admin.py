from simple_history.admin import SimpleHistoryAdmin

from .services import record_save


class MasterDataAdmin(SimpleHistoryAdmin):
    """Admin edits go through the same save path as the API and pages (validation, pinyin
    index, audit user)."""

    def save_model(self, request, obj, form, change):
        record_save(obj, user=request.user, fields={})
