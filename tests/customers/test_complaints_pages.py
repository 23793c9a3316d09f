"""Complaint pages: the list (filters, "assigned to me"), a new ticket, the ticket page with its
history, notes, the moves its status allows and the assignee; refusals keep what was typed and
change nothing."""

import pytest
from django.test import Client

from apps.customers import services
from apps.customers.models import Complaint, ComplaintNote
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

LIST = "/customers/complaints/"


def browser(user):
    client = Client()
    client.force_login(user)
    return client


def detail(ticket):
    return f"{LIST}{ticket.pk}/"


def notes(ticket):
    return list(ComplaintNote.objects.filter(complaint=ticket).order_by("id").values_list("status_to", "text"))


@pytest.fixture
def ticket(people, customer):
    return services.complaint_create(
        user=people["service"], customer=customer, subject="发票抬头错了", category="billing"
    )


def test_a_new_ticket_from_the_customer_page(people, customer, history):
    client = browser(people["service"])

    form = client.get(f"{LIST}new/", {"customer": customer.pk}).context["form"]
    response = client.post(
        f"{LIST}new/",
        {
            "customer": customer.pk,
            "subject": "三瓶漏水",
            "category": "quality",
            "priority": "high",
            "document_number": history["second"].number,
            "assignee": people["service"].pk,
            "description": "客户来电",
        },
    )

    assert form.initial["customer"] == customer.pk
    ticket = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(ticket)
    assert (ticket.status, ticket.priority, ticket.assignee) == ("open", "high", people["service"])
    assert notes(ticket) == [("open", "三瓶漏水")]


def test_another_customers_document_keeps_the_form_as_typed(people, customer, history):
    other = CustomerFactory()

    response = browser(people["service"]).post(
        f"{LIST}new/",
        {
            "customer": other.pk,
            "subject": "错单",
            "category": "delivery",
            "priority": "normal",
            "document_number": history["first"].number,
        },
    )

    assert response.status_code == 200
    assert "document_number" in response.context["form"].errors
    assert 'value="错单"' in response.content.decode()
    assert not Complaint.objects.exists()


def test_the_ticket_page_shows_history_and_the_moves_of_its_status(people, ticket, history):
    ticket.document_number = history["first"].number
    ticket.save()

    response = browser(people["service"]).get(detail(ticket))

    assert response.status_code == 200
    context = response.context
    assert [move["status"] for move in context["moves"]] == ["in_progress", "resolved", "closed"]
    assert context["needs_resolution"] is True
    assert [note.text for note in context["notes"]] == ["发票抬头错了"]
    html = response.content.decode()
    assert 'data-move="resolved"' in html
    assert history["first"].number in html


def test_moving_through_the_flow_on_the_page(people, ticket):
    client = browser(people["service"])

    client.post(f"{detail(ticket)}move/", {"status": "in_progress", "note": "在查"})
    refused = client.post(f"{detail(ticket)}move/", {"status": "resolved", "note": "处理完了"})
    assert refused.status_code == 200
    assert "Say how it was resolved." in refused.content.decode()
    assert "处理完了" in refused.content.decode()  # what was typed is kept
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"

    client.post(f"{detail(ticket)}move/", {"status": "resolved", "resolution": "已重开发票"})
    page = client.get(detail(ticket))
    assert [move["status"] for move in page.context["moves"]] == ["in_progress", "closed"]
    assert page.context["moves"][0]["label"] == "Reopen"

    done = client.post(f"{detail(ticket)}move/", {"status": "closed"})
    assert done.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolution) == ("closed", "已重开发票")
    assert notes(ticket) == [
        ("open", "发票抬头错了"),
        ("in_progress", "在查"),
        ("resolved", "已重开发票"),
        ("closed", ""),
    ]


def test_an_illegal_move_on_the_page_says_why_and_changes_nothing(people, ticket):
    client = browser(people["service"])
    client.post(f"{detail(ticket)}move/", {"status": "in_progress"})

    response = client.post(f"{detail(ticket)}move/", {"status": "closed"})

    assert response.status_code == 200
    assert "it cannot become Closed" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"


def test_notes_and_the_assignee_on_the_page(people, ticket):
    client = browser(people["service"])

    added = client.post(f"{detail(ticket)}note/", {"text": "已电话联系"})
    empty = client.post(f"{detail(ticket)}note/", {"text": ""})
    assigned = client.post(f"{detail(ticket)}assign/", {"assignee": people["seller"].pk})

    assert (added.status_code, empty.status_code, assigned.status_code) == (302, 200, 302)
    assert "note_form" in empty.context and empty.context["note_form"].errors
    ticket.refresh_from_db()
    assert ticket.assignee == people["seller"]
    assert notes(ticket) == [
        ("open", "发票抬头错了"),
        ("", "已电话联系"),
        ("", f"Assigned to {people['seller']}"),
    ]
    assert client.get(f"{detail(ticket)}note/").status_code == 405


def test_a_closed_ticket_offers_nothing_and_refuses_a_note(people, ticket):
    services.complaint_move(complaint=ticket, user=people["service"], status="closed")
    client = browser(people["service"])

    page = client.get(detail(ticket))
    refused = client.post(f"{detail(ticket)}note/", {"text": "还有一句"})

    assert "note_form" not in page.context and "moves" not in page.context
    assert page.context["edit_url"] is None
    assert refused.status_code == 200
    assert "is closed: it cannot change." in refused.content.decode()
    assert notes(ticket) == [("open", "发票抬头错了"), ("closed", "")]


def test_the_list_filters_and_assigned_to_me(people, customer, ticket):
    me = people["service"]
    mine = services.complaint_create(user=me, customer=customer, subject="送货晚了", assignee=me)
    services.complaint_move(complaint=mine, user=me, status="in_progress")
    client = browser(me)

    def listed(**query):
        response = client.get(LIST, query)
        assert response.status_code == 200
        return sorted(row["obj"].subject for row in response.context["rows"])

    assert listed() == ["发票抬头错了", "送货晚了"]
    assert listed(mine="true") == ["送货晚了"]
    assert listed(status="open") == ["发票抬头错了"]
    assert listed(category="billing") == ["发票抬头错了"]
    assert listed(customer=customer.pk) == ["发票抬头错了", "送货晚了"]
    # In progress shows amber like the documents' partly done statuses (UI.md).
    [row] = client.get(LIST, {"mine": "true"}).context["rows"]
    assert {"badge": "partial", "text": "In progress", "css": "", "url": None} in row["cells"]
    excel = client.get(LIST).context["excel_url"]
    assert excel == "/api/v1/complaints/?format=xlsx"


def test_complaint_pages_follow_permissions_and_scope(people, customer, ticket, make_user):
    clerk = browser(people["clerk"])
    stranger = browser(people["other_seller"])

    assert clerk.get(LIST).status_code == 403
    assert clerk.get(detail(ticket)).status_code == 403
    assert browser(people["finance"]).get(LIST).status_code == 403
    assert stranger.get(LIST).context["rows"] == []
    assert stranger.get(detail(ticket)).status_code == 404
    assert stranger.post(f"{detail(ticket)}note/", {"text": "x"}).status_code == 404
    assert stranger.post(f"{detail(ticket)}move/", {"status": "closed"}).status_code == 404
    assert stranger.get(f"{detail(ticket)}edit/").status_code == 404
    # The customer's own salesperson handles it.
    assert browser(people["seller"]).get(detail(ticket)).status_code == 200
    assert notes(ticket) == [("open", "发票抬头错了")]


def test_editing_a_ticket(people, ticket):
    client = browser(people["seller"])

    response = client.post(
        f"{detail(ticket)}edit/",
        {"customer": ticket.customer_id, "subject": "发票抬头和税号错了", "category": "billing", "priority": "high"},
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.subject, ticket.priority) == ("发票抬头和税号错了", "high")
