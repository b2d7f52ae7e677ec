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
