"""Demo data: an organisation, one user per role, customers and N tickets with consistent
timelines, all written through the same action functions as real work (so audit and timeline
are real). Deterministic for a seed and idempotent: a second run adds nothing it already has.

Personal data here are fictitious: generated names, well-formed random mobile numbers and ID
numbers with valid check characters (`demo.corpus`).
"""

import hashlib
import hmac
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from carrierdesk.accounts import actions as accounts
from carrierdesk.accounts import otp
from carrierdesk.accounts.choices import DepartmentKind, Role
from carrierdesk.accounts.models import Department, Region
from carrierdesk.config.paths import default_policy_pack
from carrierdesk.core import clock
from carrierdesk.core.fields import lookup_hash
from carrierdesk.customers import actions as customers
from carrierdesk.customers.choices import CustomerType, IdType, Product, SlaTier
from carrierdesk.customers.models import Customer, Subscription
from carrierdesk.demo import corpus
from carrierdesk.sla.actions import load_policy
from carrierdesk.sla.models import PolicyVersion
from carrierdesk.sla.sweep import sweep
from carrierdesk.tickets import actions as tickets
from carrierdesk.tickets import workflow
from carrierdesk.tickets.choices import (
    Action,
    Category,
    Channel,
    Kind,
    Status,
    Urgency,
    is_regulated,
)
from carrierdesk.tickets.models import Ticket
from carrierdesk.visits.actions import record_visit
from carrierdesk.visits.choices import VisitStatus
from carrierdesk.visits.models import ReturnVisit

DAYS_BACK = 120
BATCH = 100

#: (code, Chinese name, kind) of the departments of R-DSP-2.
DEPARTMENTS = [
    ("CS", "客户服务中心", DepartmentKind.CUSTOMER_SERVICE),
    ("NOC", "网络运维中心", DepartmentKind.NETWORK_OPERATIONS),
    ("PROV", "业务开通部", DepartmentKind.PROVISIONING),
    ("BILL", "计费结算部", DepartmentKind.BILLING),
    ("TECH", "技术支持部", DepartmentKind.TECHNICAL_SUPPORT),
    ("QM", "质量管理部", DepartmentKind.QUALITY_MANAGEMENT),
    ("SEC", "信息安全部", DepartmentKind.SECURITY),
]

#: The users printed at the end: one per role, with their department.
ROLE_USERS = [
    (Role.AGENT, "agent", "CS"),
    (Role.DISPATCHER, "dispatcher", "CS"),
    (Role.TECHNICIAN, "technician", "NOC"),
    (Role.SUPERVISOR, "supervisor", "CS"),
    (Role.QUALITY_INSPECTOR, "inspector", "QM"),
    (Role.AUDITOR, "auditor", "SEC"),
    (Role.ADMIN, "admin", None),
]

#: More staff so work spreads: (username prefix, role, department, how many).
EXTRA_STAFF = [
    ("agent", Role.AGENT, "CS", 5),
    ("noc", Role.TECHNICIAN, "NOC", 4),
    ("prov", Role.TECHNICIAN, "PROV", 3),
    ("bill", Role.TECHNICIAN, "BILL", 2),
    ("tech", Role.TECHNICIAN, "TECH", 2),
]

KIND_WEIGHTS = {
    Kind.INQUIRY: 30,
    Kind.SERVICE_ORDER: 20,
    Kind.FAULT: 25,
    Kind.COMPLAINT: 15,
    Kind.APPEAL: 4,
    Kind.SUGGESTION: 6,
}
CHANNEL_WEIGHTS = {
    Channel.HOTLINE: 45,
    Channel.APP: 15,
    Channel.WECHAT: 12,
    Channel.WEBSITE: 6,
    Channel.STORE: 10,
    Channel.EMAIL: 3,
    Channel.SMS: 3,
    Channel.LETTER: 1,
    Channel.PARTNER_API: 2,
    Channel.MONITORING: 3,
}
CATEGORY_WEIGHTS = {
    Category.SERVICE_QUALITY: 15,
    Category.NETWORK_QUALITY: 25,
    Category.BILLING: 25,
    Category.BUSINESS_HANDLING: 20,
    Category.MARKETING: 8,
    Category.PRIVACY_SECURITY: 2,
    Category.OTHER: 5,
}
PRODUCT_WEIGHTS = {
    Product.MOBILE: 45,
    Product.BROADBAND: 30,
    Product.FIXED_VOICE: 8,
    Product.LEASED_LINE: 4,
    Product.IOT: 5,
    Product.CLOUD: 3,
    Product.VALUE_ADDED: 5,
}


def pick(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def derive_secret(seed: int, label: str, length: int) -> str:
    """A per-installation secret for demo credentials: stable for (secret key, seed, label)."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{seed}:{label}".encode(), hashlib.sha256)
    return digest.hexdigest()[:length]


@dataclass
class DemoUser:
    role: str
    username: str
    password: str
    token: str
    department: str | None
    # The authenticator secret of a role that signs in with a one-time code (R-SEC-4).
    otp_secret: str | None = None
    otp_url: str | None = None
    #: The region whose customers and tickets the user reads (R-SEC-1 scoping).
    area: str = ""


@dataclass
class Organisation:
    users: list[DemoUser]
    by_role: dict[str, list[User]] = field(default_factory=dict)
    handlers: dict[str, list[User]] = field(default_factory=dict)  # department code → techs
    districts: list[Region] = field(default_factory=list)


def build_organisation(seed: int) -> Organisation:
    """Regions, departments and staff (idempotent: upserts by natural key)."""
    regions: dict[str, Region] = {}
    for item in corpus.REGIONS:
        regions[item.code] = accounts.upsert_region(
            None, code=item.code, name=item.name, level=item.level, parent_code=item.parent_code
        )
    province = next(r for r in regions.values() if r.level == "province")
    departments: dict[str, Department] = {
        code: accounts.upsert_department(None, code=code, name=name, kind=kind, region=province)
        for code, name, kind in DEPARTMENTS
    }
    rng = random.Random(seed)
    organisation = Organisation(users=[])
    organisation.districts = [r for r in regions.values() if r.level == "district"]
    number = 0
    agents = 0

    def home_region(role: str) -> Region:
        """Agents work in a district, one after another (R-SEC-1: they see that district's
        customers and tickets, and the tickets they own); everyone else at the province."""
        nonlocal agents
        if role != Role.AGENT:
            return province
        agents += 1
        return organisation.districts[(agents - 1) % len(organisation.districts)]

    def staff(username: str, role: str, department: str | None, password: str | None) -> User:
        nonlocal number
        number += 1
        user = accounts.upsert_staff(
            None,
            username=username,
            password=password,
            role=role,
            display_name=corpus.person_name(rng),
            employee_number=f"E{number:05d}",
            department=departments[department] if department else None,
            region=home_region(role),
        )
        organisation.by_role.setdefault(role, []).append(user)
        if role == Role.TECHNICIAN and department:
            organisation.handlers.setdefault(department, []).append(user)
        return user

    for role, username, department in ROLE_USERS:
        password = f"Demo-{derive_secret(seed, 'password:' + username, 10)}"
        user = staff(username, role, department, password)
        key = derive_secret(seed, "token:" + username, 40)
        # The printed token works for API_TOKEN_TTL from this run (R-SEC-4), also on a rerun.
        Token.objects.filter(user=user).delete()
        Token.objects.create(user=user, key=key)
        demo_user = DemoUser(role.value, username, password, key, department)
        profile_region = user.staff_profile.region
        demo_user.area = profile_region.name if profile_region else ""
        if otp.role_requires_otp(user):
            # Derived from the seed like the password, so a rerun keeps the authenticator
            # that was set up from the printed secret.
            totp_key = derive_secret(seed, "totp:" + username, 40)
            authenticator = otp.authenticator_of(user)
            if authenticator is None or authenticator.device.key != totp_key:
                otp.reset_second_factor(None, user)
                authenticator = otp.enrol_totp(None, user, key=totp_key)
            demo_user.otp_secret, demo_user.otp_url = authenticator.secret, authenticator.url
        organisation.users.append(demo_user)
    # More staff to spread the work. They get no password (hashing one costs about half a
    # second); an admin sets one for whoever should sign in.
    for prefix, role, department, count in EXTRA_STAFF:
        for index in range(1, count + 1):
            staff(f"{prefix}{index:02d}", role, department, None)
    return organisation


def _customer_values(rng: random.Random, district: Region) -> dict[str, Any]:
    city = district.parent
    province = city.parent if city else None
    place = corpus.address(
        rng, province.name if province else "", city.name if city else "", district.name
    )
    if rng.random() < 0.15:
        return {
            "customer_type": CustomerType.ENTERPRISE,
            "name": corpus.enterprise_name(rng, city.name if city else ""),
            "mobile": corpus.mobile_number(rng),
            "id_type": IdType.USCC,
            "id_number": corpus.unified_social_credit_code(rng, district.code),
            "address": place,
            "region": district,
        }
    return {
        "customer_type": CustomerType.INDIVIDUAL,
        "name": corpus.person_name(rng),
        "mobile": corpus.mobile_number(rng),
        "id_type": IdType.RESIDENT_ID,
        "id_number": corpus.resident_id_number(rng, district.code),
        "address": place,
        "region": district,
    }


def build_customers(seed: int, count: int, districts: list[Region]) -> list[Customer]:
    """`count` customers with 1–3 subscriptions each (idempotent: keyed by ID number)."""
    result: list[Customer] = []
    for index in range(count):
        rng = random.Random(f"{seed}:customer:{index}")
        values = _customer_values(rng, rng.choice(districts))
        with transaction.atomic():
            existing = Customer.objects.filter(
                id_type=values["id_type"], id_number_hash=lookup_hash(values["id_number"])
            ).first()
            customer = existing or customers.create_customer(None, **values)
            for sub_index in range(rng.choice((1, 1, 1, 2, 2, 3))):
                product = pick(rng, PRODUCT_WEIGHTS)
                if customer.customer_type == CustomerType.ENTERPRISE and sub_index == 0:
                    product = rng.choice([Product.LEASED_LINE, Product.CLOUD, Product.IOT])
                service = (
                    corpus.mobile_number(rng)
                    if product == Product.MOBILE
                    else f"{product[:2].upper()}{seed % 100:02d}{index:06d}{sub_index}"
                )
                if Subscription.objects.filter(service_number_hash=lookup_hash(service)).exists():
                    continue
                customers.create_subscription(
                    None,
                    customer,
                    service_number=service,
                    product=product,
                    sla_tier=(
                        SlaTier.ENTERPRISE
                        if customer.customer_type == CustomerType.ENTERPRISE
                        else SlaTier.STANDARD
                    ),
                    installation_address=values["address"] if product != Product.MOBILE else "",
                )
        result.append(customer)
    return result


def plan(kind: str, final: str, rng: random.Random) -> list[str]:
    """The actions that bring a new ticket of `kind` to the status `final`."""
    A = Action
    handled = [A.ACCEPT, A.ASSIGN, A.START]
    if rng.random() < 0.25:
        handled += [A.PEND, A.RESUME]
    if kind == Kind.INQUIRY and final in (Status.RESOLVED, Status.CLOSED):
        handled = [] if rng.random() < 0.7 else [A.ACCEPT]  # first-contact resolution
    if kind == Kind.SUGGESTION and final in (Status.RESOLVED, Status.CLOSED):
        handled = [A.ACCEPT]
    steps: list[Action] = {
        Status.NEW: [],
        Status.ACCEPTED: [A.ACCEPT],
        Status.ASSIGNED: [A.ACCEPT, A.ASSIGN],
        Status.IN_PROGRESS: [A.ACCEPT, A.ASSIGN, A.START],
        Status.PENDING: [A.ACCEPT, A.ASSIGN, A.START, A.PEND],
        Status.RESOLVED: [*handled, A.RESOLVE],
        Status.CLOSED: [*handled, A.RESOLVE, A.CLOSE],
        Status.REOPENED: [*handled, A.RESOLVE, A.REOPEN],
        Status.REJECTED: [A.REJECT],
        Status.CANCELLED: [A.ACCEPT, A.CANCEL],
    }[Status(final)]
    return [str(step) for step in steps]


def final_status(kind: str, age: timedelta, rng: random.Random) -> str:
    """Old tickets are mostly finished; recent ones are spread over the open statuses."""
    if age > timedelta(days=10):
        weights = {
            Status.CLOSED: 80,
            Status.RESOLVED: 6,
            Status.CANCELLED: 4,
            Status.REJECTED: 4,
            Status.REOPENED: 3,
            Status.PENDING: 3,
        }
    else:
        weights = {
            Status.NEW: 12,
            Status.ACCEPTED: 10,
            Status.ASSIGNED: 14,
            Status.IN_PROGRESS: 18,
            Status.PENDING: 8,
            Status.RESOLVED: 14,
            Status.CLOSED: 18,
            Status.REOPENED: 3,
            Status.CANCELLED: 3,
        }
    if Action.REJECT not in workflow.TRANSITIONS[kind]:
        weights.pop(Status.REJECTED, None)
    return str(pick(rng, weights))


def handling_department(kind: str, category: str) -> str:
    if kind == Kind.FAULT:
        return "NOC"
    if kind == Kind.SERVICE_ORDER:
        return "PROV"
    if category == Category.BILLING:
        return "BILL"
    if category == Category.NETWORK_QUALITY:
        return "NOC"
    return "TECH"


GAPS = {  # how long after the previous step each action happens (min, max minutes)
    Action.ACCEPT: (2, 90),
    Action.ASSIGN: (5, 240),
    Action.START: (10, 720),
    Action.PEND: (30, 600),
    Action.RESUME: (60, 2880),
    Action.RESOLVE: (30, 2880),
    Action.CLOSE: (60, 4320),
    Action.REOPEN: (600, 4320),
    Action.REJECT: (10, 1440),
    Action.CANCEL: (10, 2880),
}


def received_instant(rng: random.Random, now: datetime) -> datetime:
    """A moment in the last 120 days, mostly in the daytime (Asia/Shanghai)."""
    day = timezone.localtime(now).date() - timedelta(days=rng.randrange(DAYS_BACK))
    hour = rng.choices(
        range(24),
        weights=[1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 16, 14, 10, 12, 15, 15, 14, 12, 10, 9, 8, 6, 4, 2],
    )[0]
    local = datetime(
        day.year,
        day.month,
        day.day,
        hour,
        rng.randrange(60),
        rng.randrange(60),
        tzinfo=timezone.get_current_timezone(),
    )
    return min(local, now - timedelta(minutes=rng.randrange(1, 30)))


def build_ticket(
    seed: int, index: int, organisation: Organisation, people: list[Customer], now: datetime
) -> Ticket | None:
    """Ticket `index`: registered, then carried through its plan, each step at its own time."""
    reference = f"DEMO-{seed}-{index:06d}"
    if Ticket.objects.filter(external_reference=reference).exists():
        return None
    rng = random.Random(f"{seed}:ticket:{index}")
    kind = str(pick(rng, KIND_WEIGHTS))
    channel = str(pick(rng, CHANNEL_WEIGHTS))
    if kind == Kind.APPEAL:
        channel = rng.choice([Channel.REGULATOR, Channel.GOV_HOTLINE])
    if channel == Channel.MONITORING and kind != Kind.FAULT:
        channel = Channel.HOTLINE
    category = str(pick(rng, CATEGORY_WEIGHTS))
    if kind == Kind.FAULT:
        category = Category.NETWORK_QUALITY
    subtypes = workflow.SUBTYPES[kind]
    subtype = rng.choice(subtypes) if subtypes else ""
    urgency = rng.choices(
        workflow.URGENCIES[kind], weights=[60, 15, 15, 10][: len(workflow.URGENCIES[kind])]
    )[0]
    customer = rng.choice(people)
    subscriptions = list(customer.subscriptions.all())
    subscription = rng.choice(subscriptions) if subscriptions else None
    product = subscription.product if subscription else Product.MOBILE
    title, description = corpus.ticket_text(rng, kind, category, subtype, product)
    received = received_instant(rng, now)
    # Letters and regulators' transfers are registered a while after they were received.
    delay = (
        timedelta(hours=rng.randrange(2, 48))
        if channel in (Channel.LETTER, Channel.REGULATOR, Channel.GOV_HOTLINE)
        else timedelta(minutes=rng.randrange(0, 8))
    )
    registered = min(received + delay, now)
    regulator: dict[str, Any] = {}
    if is_regulated(kind, channel):  # R-CMP-1: at least serious, with their case and due date
        if urgency == Urgency.GENERAL:
            urgency = Urgency.SERIOUS
        prefix = "GXB" if channel == Channel.REGULATOR else "12345"
        regulator = {
            "regulator_reference": f"{prefix}-{seed}-{index:06d}",
            "regulator_due_at": received + timedelta(days=rng.choice([5, 7, 10])),
        }
    agents = organisation.by_role[Role.AGENT]
    owner = rng.choice(agents)
    handler_department = handling_department(kind, category)
    handler = rng.choice(organisation.handlers[handler_department])
    with clock.frozen(registered):
        ticket = tickets.register_ticket(
            owner,
            kind=kind,
            channel=channel,
            category=category,
            urgency=urgency,
            subtype=subtype,
            customer=customer,
            subscription=subscription,
            title=title,
            description=description,
            received_at=received,
            external_reference=reference,
            **regulator,
            # History: these customers were told at the time (R-INT-4), not by today's server.
            acknowledge_customer=False,
        )
    at = registered
    steps = plan(kind, final_status(kind, now - received, rng), rng)
    if Action.ASSIGN not in steps:
        handler = owner  # answered by the agent who took the call
    # The return visit after a resolution is made before the next step (R-RV-1); drawn from
    # its own sequence, so the tickets' histories stay those of earlier versions of the demo.
    visits = random.Random(f"{seed}:visit:{index}")
    resolved_at: datetime | None = None
    for step in steps:
        low, high = GAPS[Action(step)]
        at = at + timedelta(minutes=rng.randrange(low, high))
        if resolved_at is not None:
            made = _return_visit(ticket, visits, organisation, resolved_at, min(at, now), step)
            resolved_at = None
            if made and step == Action.REOPEN:
                continue  # the dissatisfied visit reopened it
        if at >= now:
            break  # the rest of the plan has not happened yet
        actor, params = _step(step, rng, organisation, owner, handler, handler_department)
        with clock.frozen(at):
            if step == Action.CLOSE and tickets.needs_closure_approval(ticket):
                supervisor = organisation.by_role[Role.SUPERVISOR][0]
                tickets.approve_closure(supervisor, ticket.number)  # R-CMP-1
            tickets.TRANSITION_FUNCTIONS[step](actor, ticket.number, **params)
        if step == Action.RESOLVE:
            resolved_at = at
    if resolved_at is not None:  # resolved last: visited by now, or still waiting
        _return_visit(ticket, visits, organisation, resolved_at, now, None)
    return ticket


#: The demo's return-visit outcomes (R-RV-1): satisfaction levels of the satisfied customers.
VISIT_LEVELS = {5: 52, 4: 36, 3: 12}


def _return_visit(
    ticket: Ticket,
    rng: random.Random,
    organisation: Organisation,
    resolved_at: datetime,
    before: datetime,
    following: str | None,
) -> bool:
    """The quality inspector's return visit of a ticket resolved at `resolved_at`, if one was
    scheduled, made before `before` (the next step): dissatisfied (it reopens the ticket) when
    the plan reopens it next, else mostly satisfied, sometimes after a missed call. True if
    made."""
    visit = ReturnVisit.objects.filter(ticket=ticket, status=VisitStatus.SCHEDULED).first()
    if visit is None:
        return False
    if following is None:
        if visit.due_at > before or rng.random() < 0.03:
            return False  # still on the worklist: within its limit, or (a few) overdue
    elif rng.random() < 0.1:
        return False  # archived before anyone called
    made_at = resolved_at + (min(before, visit.due_at) - resolved_at) * rng.uniform(0.2, 0.9)
    inspector = rng.choice(organisation.by_role[Role.QUALITY_INSPECTOR])
    if rng.random() < 0.1 and visit.max_attempts > 1:
        with clock.frozen(made_at - (made_at - resolved_at) / 2):
            record_visit(inspector, visit.pk, reached=False)
    with clock.frozen(made_at):
        if following == Action.REOPEN:
            unsolved = rng.random() < 0.5
            record_visit(
                inspector,
                visit.pk,
                reached=True,
                solved=not unsolved,
                satisfaction=rng.choice([1, 2, 3]) if unsolved else rng.choice([1, 2]),
                comment=corpus.note_text(rng, Action.REOPEN),
            )
            return True
        record_visit(
            inspector,
            visit.pk,
            reached=True,
            solved=True,
            satisfaction=int(pick(rng, VISIT_LEVELS)),
            nps=rng.choice([6, 7, 8, 9, 9, 10, 10]) if rng.random() < 0.6 else None,
        )
    return True


def _step(
    step: str,
    rng: random.Random,
    organisation: Organisation,
    owner: User,
    handler: User,
    department: str,
) -> tuple[User, dict[str, Any]]:
    if step == Action.ASSIGN:
        dispatcher = organisation.by_role[Role.DISPATCHER][0]
        return dispatcher, {
            "department": department,
            "assignee": handler.username,
            "note": corpus.note_text(rng, step),
        }
    if step in (Action.START, Action.RESUME):
        return handler, {"note": corpus.note_text(rng, step)}
    if step == Action.PEND:
        return handler, {"reason": corpus.note_text(rng, step)}
    if step == Action.RESOLVE:
        return handler, {"resolution": corpus.note_text(rng, step)}
    if step == Action.REOPEN:
        return organisation.by_role[Role.QUALITY_INSPECTOR][0], {
            "reason": corpus.note_text(rng, step)
        }
    if step in (Action.REJECT, Action.CANCEL):
        return owner, {"reason": corpus.note_text(rng, step)}
    return owner, {"note": corpus.note_text(rng, step)}


def batches(total: int, size: int) -> Iterator[range]:
    for start in range(0, total, size):
        yield range(start, min(start + size, total))


def build_tickets(
    seed: int,
    count: int,
    organisation: Organisation,
    people: list[Customer],
    progress: Callable[[int, int], None],
) -> int:
    """Create the missing demo tickets in batches of 100 (each batch one transaction)."""
    now = clock.now()
    created = 0
    for indexes in batches(count, BATCH):
        # History: the people concerned were told at the time (R-INT-4, R-WF-5).
        with transaction.atomic(), tickets.recording_history():
            for index in indexes:
                created += build_ticket(seed, index, organisation, people, now) is not None
        progress(indexes.stop, count)
    return created


@dataclass
class DemoResult:
    users: list[DemoUser]
    customers: int
    tickets_created: int
    tickets_total: int
    alerts: int = 0


def load(
    seed: int, ticket_count: int, progress: Callable[[int, int], None] = lambda done, total: None
) -> DemoResult:
    with transaction.atomic():
        organisation = build_organisation(seed)
    if not PolicyVersion.objects.exists():
        load_policy(
            None,
            default_policy_pack().read_text(encoding="utf-8"),
            source_name=default_policy_pack().name,
        )
    people = build_customers(seed, max(50, ticket_count // 4), organisation.districts)
    created = build_tickets(seed, ticket_count, organisation, people, progress)
    # The alerts the demo's open tickets have reached by now (R-SLA-3).
    alerts = sweep().alerts
    return DemoResult(
        users=organisation.users,
        customers=len(people),
        tickets_created=created,
        tickets_total=Ticket.objects.count(),
        alerts=alerts,
    )
