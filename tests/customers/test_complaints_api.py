"""Complaint and feedback tickets over the API (/api/v1/complaints/): the flow open → in
progress → resolved (needs a resolution) → closed with every change in the history, the
refusals (closed, illegal moves, another customer's document) that change nothing, filters,
and who sees which tickets."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from rest_framework.test import APIClient

from apps.customers import services
from apps.customers.models import Complaint, ComplaintNote
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/complaints/"


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def history_of(complaint_id):
    return list(
        ComplaintNote.objects.filter(complaint=complaint_id)
        .order_by("id")
        .values_list("status_from", "status_to", "text")
    )


def state(complaint_id):
    complaint = Complaint.objects.get(pk=complaint_id)
    return complaint.status, complaint.resolution, ComplaintNote.objects.filter(complaint=complaint_id).count()


@pytest.fixture
def ticket(people, customer, history):
    """A ticket customer service opened about the first delivery."""
    return services.complaint_create(
        user=people["service"],
        customer=customer,
        subject="三瓶漏水",
        category="quality",
        document_number=history["first"].number,
    )


def test_the_whole_flow_with_its_history(people, customer, history):
    client = as_user(people["service"])

    created = client.post(
        URL,
        {
            "customer": customer.pk,
            "subject": "三瓶漏水",
            "description": "客户来电：10 瓶中 3 瓶漏水",
            "category": "quality",
            "priority": "high",
            "document_number": history["first"].number,
            "assignee": people["service"].pk,
        },
    )
    assert created.status_code == 201, created.json()
    ticket = created.json()
    assert ticket["number"].startswith("CMP-2026-")
    assert (ticket["status"], ticket["customer_code"], ticket["assignee"]) == ("open", "C-STMT", people["service"].pk)
    assert [(n["status_from"], n["status_to"], n["text"]) for n in ticket["notes"]] == [("", "open", "三瓶漏水")]
    pk = ticket["id"]

    moved = client.post(f"{URL}{pk}/move/", {"status": "in_progress", "note": "已联系客户"})
    assert moved.status_code == 200
    assert moved.json()["status"] == "in_progress"

    refused = client.post(f"{URL}{pk}/move/", {"status": "resolved"})
    assert refused.status_code == 400
    assert list(refused.json()) == ["resolution"]
    assert state(pk) == ("in_progress", "", 2)

    noted = client.post(f"{URL}{pk}/note/", {"text": "退货单已开"})
    assert noted.status_code == 200
    assert [n["text"] for n in noted.json()["notes"]][-1] == "退货单已开"

    resolved = client.post(f"{URL}{pk}/move/", {"status": "resolved", "resolution": "退 3 瓶，已冲减应收"})
    assert resolved.status_code == 200
    assert (resolved.json()["status"], resolved.json()["resolution"]) == ("resolved", "退 3 瓶，已冲减应收")
    assert resolved.json()["resolved_at"] is not None

    closed = client.post(f"{URL}{pk}/move/", {"status": "closed", "note": "客户确认"})
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"

    assert history_of(pk) == [
        ("", "open", "三瓶漏水"),
        ("open", "in_progress", "已联系客户"),
        ("", "", "退货单已开"),
        ("in_progress", "resolved", "退 3 瓶，已冲减应收"),
        ("resolved", "closed", "客户确认"),
    ]
    authors = {n["author"] for n in closed.json()["notes"]}
    assert authors == {people["service"].pk}


def test_a_closed_ticket_refuses_notes_moves_and_edits_with_409(people, ticket):
    client = as_user(people["service"])
    services.complaint_move(complaint=ticket, user=people["service"], status="closed")
    before = state(ticket.pk)

    for path, body in [
        ("note/", {"text": "再补一句"}),
        ("move/", {"status": "in_progress"}),
        ("move/", {"status": "open", "note": "重开"}),
        ("move/", {"status": "closed", "note": "又关一次"}),
    ]:
        response = client.post(f"{URL}{ticket.pk}/{path}", body)
        assert response.status_code == 409, (path, body)
        assert response.json()["code"] == "invalid_state"
    response = client.patch(f"{URL}{ticket.pk}/", {"subject": "改标题"})
    assert response.status_code == 409

    assert state(ticket.pk) == before == ("closed", "", 2)
    assert Complaint.objects.get(pk=ticket.pk).subject == "三瓶漏水"


def test_moving_a_closed_ticket_to_closed_again_is_refused_too(people, ticket):
    """It used to answer 200 and drop the note silently."""
    services.complaint_move(complaint=ticket, user=people["service"], status="closed")

    response = as_user(people["service"]).post(f"{URL}{ticket.pk}/move/", {"status": "closed", "note": "x"})

    assert response.status_code == 409
    assert ComplaintNote.objects.filter(complaint=ticket, text="x").count() == 0


def test_an_illegal_move_is_409_and_changes_nothing(people, ticket):
    client = as_user(people["service"])
    client.post(f"{URL}{ticket.pk}/move/", {"status": "in_progress"})

    response = client.post(f"{URL}{ticket.pk}/move/", {"status": "closed"})

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"
    assert "In progress" in response.json()["detail"]
    assert state(ticket.pk) == ("in_progress", "", 2)


def test_an_unknown_status_or_an_empty_note_is_400(people, ticket):
    client = as_user(people["service"])

    bad_status = client.post(f"{URL}{ticket.pk}/move/", {"status": "done"})
    empty_note = client.post(f"{URL}{ticket.pk}/note/", {"text": "   "})

    assert (bad_status.status_code, list(bad_status.json())) == (400, ["status"])
    assert (empty_note.status_code, list(empty_note.json())) == (400, ["text"])
    assert state(ticket.pk) == ("open", "", 1)


def test_a_document_of_another_customer_is_a_400_and_nothing_is_created(people, customer, history):
    other = CustomerFactory()

    response = as_user(people["service"]).post(
        URL, {"customer": other.pk, "subject": "错单", "document_number": history["first"].number}
    )

    assert response.status_code == 400
    assert list(response.json()) == ["document_number"]
    assert Complaint.objects.count() == 0


def test_an_unknown_document_is_a_400_and_a_change_to_one_too(people, ticket):
    client = as_user(people["service"])

    created = client.post(URL, {"customer": ticket.customer_id, "subject": "?", "document_number": "SO-1999-1"})
    changed = client.patch(f"{URL}{ticket.pk}/", {"document_number": "DN-1999-1"})

    assert (created.status_code, list(created.json())) == (400, ["document_number"])
    assert (changed.status_code, list(changed.json())) == (400, ["document_number"])
    assert Complaint.objects.count() == 1
    ticket.refresh_from_db()
    assert ticket.document_number.startswith("DN-2026-")


def test_a_new_assignee_is_noted_in_the_history(people, ticket):
    response = as_user(people["service"]).patch(f"{URL}{ticket.pk}/", {"assignee": people["seller"].pk})

    assert response.status_code == 200
    assert response.json()["assignee_name"] == people["seller"].display_name
    assert history_of(ticket.pk)[-1] == ("", "", f"Assigned to {people['seller']}")


def test_only_active_complaint_handlers_can_be_assigned(people, ticket):
    response = as_user(people["service"]).patch(f"{URL}{ticket.pk}/", {"assignee": people["clerk"].pk})

    assert response.status_code == 400
    assert list(response.json()) == ["assignee"]
    ticket.refresh_from_db()
    assert ticket.assignee is None


# --- Filters ---------------------------------------------------------------------------------


@pytest.fixture
def tickets(people, customer):
    other_customer = CustomerFactory(salesperson=people["other_seller"])
    me = people["service"]
    made = {
        "open_mine": services.complaint_create(user=me, customer=customer, subject="A", assignee=me),
        "open_other": services.complaint_create(
            user=me, customer=other_customer, subject="B", category="delivery", assignee=people["seller"]
        ),
        "in_progress": services.complaint_create(user=me, customer=customer, subject="C", category="billing"),
        "closed": services.complaint_create(user=me, customer=customer, subject="D", assignee=me),
    }
    services.complaint_move(complaint=made["in_progress"], user=me, status="in_progress")
    services.complaint_move(complaint=made["closed"], user=me, status="closed")
    return made


def subjects(response):
    assert response.status_code == 200, response.json()
    return sorted(row["subject"] for row in response.json()["results"])


def test_filters(people, customer, tickets):
    client = as_user(people["service"])

    assert subjects(client.get(URL)) == ["A", "B", "C", "D"]
    assert subjects(client.get(URL, {"status": "open,in_progress"})) == ["A", "B", "C"]
    assert subjects(client.get(URL, {"status": "closed"})) == ["D"]
    assert subjects(client.get(URL, {"mine": "true"})) == ["A", "D"]
    assert subjects(client.get(URL, {"mine": "true", "status": "open"})) == ["A"]
    assert subjects(client.get(URL, {"customer": customer.pk})) == ["A", "C", "D"]
    assert subjects(client.get(URL, {"assignee": people["seller"].pk})) == ["B"]
    assert subjects(client.get(URL, {"category": "billing"})) == ["C"]
    assert subjects(client.get(URL, {"search": tickets["closed"].number})) == ["D"]


@pytest.mark.parametrize("query", [{"status": "open,done"}, {"mine": "yes"}, {"category": "x"}])
def test_a_bad_filter_is_a_400_not_every_ticket(people, tickets, query):
    response = as_user(people["service"]).get(URL, query)

    assert response.status_code == 400
    assert list(response.json()) == list(query)


def test_the_list_as_excel(people, tickets):
    response = as_user(people["service"]).get(URL, {"status": "open", "format": "xlsx"})

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header = rows[0]
    assert "Number" in header and "Subject" in header
    assert sorted(row[header.index("Subject")] for row in rows[1:]) == ["A", "B"]


def test_the_list_costs_the_same_queries_for_many_tickets(people, customer, tickets):
    client = as_user(people["service"])
    client.get(URL)  # warm up (content types, permissions)
    with CaptureQueriesContext(connection) as four:
        assert client.get(URL).json()["count"] == 4
    for n in range(10):
        ticket = services.complaint_create(user=people["service"], customer=customer, subject=f"T{n}")
        services.complaint_note(complaint=ticket, user=people["service"], text="note")

    with CaptureQueriesContext(connection) as fourteen:
        assert client.get(URL).json()["count"] == 14

    assert len(fourteen) == len(four)


# --- Who sees what ---------------------------------------------------------------------------


@pytest.mark.parametrize("department", ["warehouse", "finance", "purchasing", "it_admin"])
def test_departments_without_complaints_are_refused(api_as, tickets, department):
    client = api_as(department)
    ticket = tickets["open_mine"]

    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{ticket.pk}/").status_code == 403
    assert client.post(f"{URL}{ticket.pk}/note/", {"text": "x"}).status_code == 403
    assert client.post(URL, {"customer": ticket.customer_id, "subject": "x"}).status_code == 403
    assert Complaint.objects.count() == 4


def test_a_salesperson_sees_only_their_own_customers_tickets(people, customer, tickets):
    client = as_user(people["seller"])
    theirs = tickets["open_other"]

    assert subjects(client.get(URL)) == ["A", "C", "D"]
    # Assigned to this salesperson, but about another's customer: still out of scope.
    assert subjects(client.get(URL, {"mine": "true"})) == []
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert client.patch(f"{URL}{theirs.pk}/", {"subject": "抢"}).status_code == 404
    assert client.post(f"{URL}{theirs.pk}/note/", {"text": "x"}).status_code == 404
    assert client.post(f"{URL}{theirs.pk}/move/", {"status": "in_progress"}).status_code == 404
    assert state(theirs.pk) == ("open", "", 1)


def test_a_salesperson_opens_tickets_for_their_own_customers_only(people, customer, tickets):
    client = as_user(people["seller"])
    others_customer = tickets["open_other"].customer

    mine = client.post(URL, {"customer": customer.pk, "subject": "送货晚了", "category": "delivery"})
    theirs = client.post(URL, {"customer": others_customer.pk, "subject": "抢单"})

    assert mine.status_code == 201
    assert (theirs.status_code, list(theirs.json())) == (400, ["customer"])
    assert Complaint.objects.filter(subject="抢单").count() == 0
