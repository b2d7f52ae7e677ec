"""Issue 6's browser flows: the quality inspector's return-visit worklist, and the customer's
public survey page on a phone (R-RV-1..3)."""

import re
from collections.abc import Callable

from django.contrib.auth.models import User
from playwright.sync_api import expect

from carrierdesk.customers.models import Customer
from carrierdesk.notifications.models import Notification
from carrierdesk.tickets import actions
from carrierdesk.tickets.models import Ticket
from carrierdesk.tickets.tests import web_helpers
from carrierdesk.visits import surveys
from carrierdesk.visits.models import ReturnVisit
from carrierdesk.web.tests.browser.conftest import Pages, signed_in, submit


def test_quality_inspector_records_a_return_visit_from_the_worklist(
    pages: Pages,
    desk: dict[str, User],
    make_ticket: Callable[..., Ticket],
    problems: list[str],
) -> None:
    ticket = web_helpers.resolved(make_ticket, desk, urgency="general")
    inspector = signed_in(pages, desk["quality_inspector"])
    # The menu, in Chinese by default.
    inspector.get_by_role("link", name="回访", exact=True).click()
    expect(inspector.locator("h1")).to_have_text("回访")
    row = inspector.locator("main table tbody tr", has_text=ticket.number)
    expect(row.locator(".cd-countdown[data-deadline] .cd-remaining")).not_to_be_empty()
    row.get_by_role("link", name="记录").click()
    expect(inspector.locator("h1")).to_contain_text(ticket.number)

    form = inspector.locator("main form")
    form.get_by_role("radio", name="否").check()  # not reached: an attempt is counted
    submit(inspector)
    expect(inspector.locator(".cd-messages")).to_contain_text("1")
    form = inspector.locator("main form")
    form.get_by_role("radio", name="是").check()
    form.locator("select[name=solved]").select_option("yes")
    form.locator("select[name=satisfaction]").select_option("2")
    form.locator("textarea[name=comment]").fill("等待时间太长。")
    submit(inspector)
    expect(inspector.locator("h1")).to_have_text("回访")  # back on the worklist
    expect(inspector.locator(".cd-messages")).to_be_visible()
    expect(inspector.locator("main")).not_to_contain_text(ticket.number)

    visit = ReturnVisit.objects.get(ticket=ticket)
    assert (visit.status, visit.attempts, visit.satisfaction) == ("done", 2, 2)
    assert Ticket.objects.get(pk=ticket.pk).status == "reopened"
    assert problems == []


def test_customer_answers_the_survey_on_a_phone_once(
    pages: Pages,
    desk: dict[str, User],
    make_ticket: Callable[..., Ticket],
    customer: Customer,
    problems: list[str],
) -> None:
    ticket = web_helpers.resolved(make_ticket, desk, urgency="general")
    message = Notification.objects.get(template=surveys.TEMPLATE, object_id=ticket.number)
    path = re.sub(r"^https?://[^/]+", "", message.context["link"])

    phone = pages.open("customer", locale="zh-CN")
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(path)
    expect(phone.locator("h1")).to_have_text("满意度调查")
    expect(phone.locator("main")).to_contain_text(ticket.number)
    expect(phone.locator("nav.navbar")).to_have_count(0)  # no staff menu, no account
    phone.get_by_role("link", name="English").click()
    expect(phone.locator("h1")).to_have_text("Satisfaction survey")

    submit(phone)  # nothing chosen: said next to the questions, nothing recorded
    expect(phone.locator(".invalid-feedback").first).to_be_visible()
    assert not ReturnVisit.objects.filter(ticket=ticket, status="done").exists()

    phone.locator("label", has_text=re.compile(r"^Yes$")).first.click()
    phone.locator("label", has_text=re.compile(r"^Dissatisfied$")).click()
    phone.locator("label[for$='nps_3']").click()
    phone.locator("textarea[name=comment]").fill("Took too long.")
    submit(phone)
    expect(phone.locator(".alert-success")).to_contain_text("your answer has been recorded")

    reopened = Ticket.objects.get(pk=ticket.pk)
    assert (reopened.status, reopened.reopen_count) == ("reopened", 1)
    visit = ReturnVisit.objects.get(ticket=ticket, status="done")
    assert (visit.by_survey, visit.satisfaction, visit.nps) == (True, 2, 3)
    told = Notification.objects.filter(template=actions.OWNER_UPDATE, recipient=desk["agent"])
    assert told.filter(context__status_label="Reopened").exists()

    phone.goto(path)  # the link works once: 410 Gone, which the browser logs
    expect(phone.locator(".alert-warning")).to_contain_text("已经")
    assert [problem for problem in problems if "410" not in problem] == []
