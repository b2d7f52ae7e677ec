"""Who may see personal data in clear (R-SEC-2). Pure."""

from carrierdesk.accounts.choices import Role

#: Roles that may unmask, with a reason, what their work needs: agents and technicians call
#: back and visit customers, quality inspectors make return visits, supervisors handle
#: escalations, admins answer data-subject requests. Dispatchers route work without contacting
#: anyone; auditors read the logs of who saw what, not the values.
UNMASK_ROLES = frozenset(
    {Role.AGENT, Role.TECHNICIAN, Role.QUALITY_INSPECTOR, Role.SUPERVISOR, Role.ADMIN}
)

#: Roles that read and export the access log.
ACCESS_LOG_ROLES = frozenset({Role.AUDITOR, Role.ADMIN})

#: The customer fields that are personal data, shown masked unless unmasked.
CUSTOMER_FIELDS = ("name", "mobile", "id_number", "address")

MIN_REASON = 4
MAX_REASON = 500


def can_unmask(roles: frozenset[str]) -> bool:
    return bool(roles & UNMASK_ROLES)


def can_read_access_log(roles: frozenset[str]) -> bool:
    return bool(roles & ACCESS_LOG_ROLES)


# --- Retention and data-subject requests (R-SEC-5) ---------------------------------------------

#: Roles that change the retention rules.
RETENTION_RULE_ROLES = frozenset({Role.ADMIN})
#: Roles that place and release legal holds, and read them.
LEGAL_HOLD_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})
LEGAL_HOLD_READ_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN, Role.AUDITOR})
#: Roles that register a data-subject request (those who take customers' requests), that
#: handle it (start, complete, refuse, download the export in clear), and that read the
#: requests (auditors read them, never the export's contents).
REQUEST_REGISTER_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
REQUEST_HANDLE_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})
REQUEST_READ_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN, Role.AUDITOR})
#: Roles that may anonymise a customer by hand (through a deletion request).
ANONYMISE_ROLES = REQUEST_HANDLE_ROLES


def can_change_retention_rules(roles: frozenset[str]) -> bool:
    return bool(roles & RETENTION_RULE_ROLES)


def can_place_legal_hold(roles: frozenset[str]) -> bool:
    return bool(roles & LEGAL_HOLD_ROLES)


def can_read_legal_holds(roles: frozenset[str]) -> bool:
    return bool(roles & LEGAL_HOLD_READ_ROLES)


def can_register_request(roles: frozenset[str]) -> bool:
    return bool(roles & REQUEST_REGISTER_ROLES)


def can_handle_request(roles: frozenset[str]) -> bool:
    return bool(roles & REQUEST_HANDLE_ROLES)


def can_read_requests(roles: frozenset[str]) -> bool:
    return bool(roles & REQUEST_READ_ROLES)


def can_anonymise(roles: frozenset[str]) -> bool:
    return bool(roles & ANONYMISE_ROLES)
