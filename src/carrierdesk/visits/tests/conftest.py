"""Fixtures of the return-visit tests: the SLA tests' time-limit policy."""

from carrierdesk.sla.tests import conftest as sla_fixtures

policy = sla_fixtures.policy
