"""Users and roles, read-only (issue 5 §7): who works here, in which role, department and
region, and whether their second factor is set up (R-SEC-4). Accounts are changed in the
Django admin; authenticators with `carrierdesk otp`."""

from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from carrierdesk.accounts import otp
from carrierdesk.accounts.choices import Role
from carrierdesk.web.access import staff_view

PAGE_SIZE = 100


def staff_members() -> QuerySet[User]:
    """Staff (everyone with a staff profile) and superusers, with their organisation."""
    return (
        User.objects.filter(Q(staff_profile__isnull=False) | Q(is_superuser=True))
        .select_related("staff_profile__department", "staff_profile__region")
        .prefetch_related("groups")
        .only(
            "username",
            "is_active",
            "is_superuser",
            "is_staff",
            "last_login",
            "staff_profile__display_name",
            "staff_profile__employee_number",
            "staff_profile__role",
            "staff_profile__department__code",
            "staff_profile__department__name",
            "staff_profile__region__code",
            "staff_profile__region__name",
        )
        .order_by("staff_profile__employee_number", "username")
    )


@staff_view(roles=[Role.ADMIN])
def users(request: HttpRequest) -> HttpResponse:
    page = Paginator(staff_members(), PAGE_SIZE).get_page(request.GET.get("page"))
    people = list(page.object_list)
    statuses = otp.statuses_of(people)
    labels = dict(Role.choices)
    rows = [
        {
            "user": person,
            "otp": statuses[person.pk],
            "roles": [labels[name] for name in statuses[person.pk].roles],
        }
        for person in people
    ]
    return render(request, "accounts/web/users.html", {"page": page, "rows": rows})
