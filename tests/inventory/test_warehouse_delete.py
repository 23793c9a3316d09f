from guardian.models import UserObjectPermission

from apps.inventory.models import Warehouse
from tests.factories import UserFactory, WarehouseFactory


def test_deleting_an_unused_warehouse_removes_its_scope_assignments(api_as):
    manager = api_as("management")
    doomed, kept = WarehouseFactory(code="OLD"), WarehouseFactory(code="SH01")
    clerk = UserFactory(departments=["warehouse"], warehouses=[doomed, kept])

    response = manager.delete(f"/api/v1/warehouses/{doomed.pk}/")

    assert response.status_code == 204
    assert list(Warehouse.objects.values_list("code", flat=True)) == ["SH01"]
    assert list(UserObjectPermission.objects.filter(user=clerk).values_list("object_pk", flat=True)) == [str(kept.pk)]
