from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "carrierdesk.audit"
    label = "audit"
    verbose_name = "Audit"
