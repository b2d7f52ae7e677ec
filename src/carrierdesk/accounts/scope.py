"""What part of the branch's data a staff member may read (R-SEC-1: least privilege).

A user's scope is the union of what each of their roles grants:

- admin, auditor: everything (auditors change nothing: the action tables refuse them).
- supervisor: the region subtree of their department's region (else their own region), and
  the tickets routed to their department.
- agent, dispatcher, quality inspector: their own region's subtree (else their department's),
  and the tickets they own (首问) or handle.
- technician: the tickets routed to them or to their department.

Customers and subscriptions are in scope when their region is, or when one of their tickets
is (a technician sees the customer of the fault they repair).

Records with no region are the province's: only users whose region is a top-level region
(or who see all) read them. A staff member without a region sees only their own tickets.

`queries.py` of each domain turns a Scope into a restricting queryset; everything that reads
for a user goes through those (STYLE habit 4), so "forbidden" and "missing" look the same.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q

from carrierdesk.accounts.choices import Role
from carrierdesk.accounts.models import Region, StaffProfile
from carrierdesk.accounts.roles import is_staff_member, roles_of

User = AbstractBaseUser | AnonymousUser

#: Roles that read every record of the branch (auditors change nothing: see the action tables).
READ_ALL_ROLES = frozenset({Role.ADMIN.value, Role.AUDITOR.value})
#: Roles scoped by their own region (R-SEC-1).
REGION_ROLES = frozenset({Role.AGENT.value, Role.DISPATCHER.value, Role.QUALITY_INSPECTOR.value})
#: Roles that read the tickets routed to their department.
DEPARTMENT_ROLES = frozenset({Role.SUPERVISOR.value, Role.TECHNICIAN.value})


@dataclass(frozen=True)
class Scope:
    """The records a user may read; `everything` overrides the rest."""

    everything: bool = False
    user_id: int | None = None
    #: Region paths (`/440000/440100/`) whose subtrees are in scope.
    region_paths: tuple[str, ...] = ()
    department_id: int | None = None
    #: Tickets the user first-owns or is assigned are in scope.
    own_tickets: bool = False

    @property
    def holds_unregioned(self) -> bool:
        """Records without a region are the province's: read by top-level region scopes."""
        return any(path.count("/") == 2 for path in self.region_paths)  # `/440000/`

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.region_paths or self.department_id or self.own_tickets)

    def region_condition(self, field: str) -> Q | None:
        """Records whose `field` (a Region foreign key) lies in a subtree in scope."""
        if not self.region_paths:
            return None
        # A subquery on the indexed path, not a join: the planner keeps the ticket indexes.
        subtree = Q()
        for path in self.region_paths:
            subtree |= Q(path__startswith=path)
        condition = Q(**{f"{field}__in": Region.objects.filter(subtree).values("pk")})
        if self.holds_unregioned:
            condition |= Q(**{f"{field}__isnull": True})
        return condition

    def ticket_condition(self, prefix: str = "") -> Q | None:
        """The tickets in scope (None: all); `prefix` reaches tickets from another model."""
        if self.everything:
            return None
        condition = Q(pk__in=[])
        region = self.region_condition(f"{prefix}region")
        if region is not None:
            condition |= region
        if self.department_id is not None:
            condition |= Q(**{f"{prefix}department_id": self.department_id})
        if self.own_tickets and self.user_id is not None:
            condition |= Q(**{f"{prefix}first_owner_id": self.user_id})
            condition |= Q(**{f"{prefix}assignee_id": self.user_id})
        return condition


NOTHING = Scope()
EVERYTHING = Scope(everything=True)


def scope_of(user: User | None) -> Scope:
    """The scope of `user` (cached on the user object for the request, like its roles)."""
    if user is None or not is_staff_member(user):
        return NOTHING
    cached: Scope | None = getattr(user, "_carrierdesk_scope", None)
    if cached is not None:
        return cached
    scope = _compute(user)
    setattr(user, "_carrierdesk_scope", scope)  # noqa: B010 - a per-request cache on the user.
    return scope


def _compute(user: User) -> Scope:
    roles = roles_of(user)
    if roles & READ_ALL_ROLES:
        return EVERYTHING
    profile = (
        StaffProfile.objects.select_related("region", "department__region")
        .filter(user_id=user.pk)  # type: ignore[misc]  # a staff member has a pk
        .first()
    )
    if profile is not None:
        # Cached on the user: the page's menu reads it too.
        user.staff_profile = profile  # type: ignore[union-attr]  # a staff member is a User
    own_region = profile.region if profile else None
    department = profile.department if profile else None
    department_region = department.region if department else None
    paths: set[str] = set()
    if roles & REGION_ROLES and (own_region or department_region):
        paths.add((own_region or department_region).path)  # type: ignore[union-attr]
    if Role.SUPERVISOR in roles and (department_region or own_region):
        paths.add((department_region or own_region).path)  # type: ignore[union-attr]
    return Scope(
        user_id=user.pk,
        region_paths=tuple(sorted(paths)),
        department_id=department.pk if department and roles & DEPARTMENT_ROLES else None,
        own_tickets=True,
    )


def in_region_scope(scope: Scope, region_path: str | None) -> bool:
    """Whether a record in the region with this path (None: no region) is in `scope`'s
    regions — for checks on records about to be written (a customer's region)."""
    if scope.everything:
        return True
    if region_path is None:
        return scope.holds_unregioned
    return any(region_path.startswith(path) for path in scope.region_paths)
