"""Enumerations of security incidents (R-SEC-6): levels, response levels, stages, events."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

#: Incident-number prefix (安全, "security").
NUMBER_PREFIX = "AQ"


class Level(models.TextChoices):
    """How serious the incident is (一般 / 较大 / 重大) [002 §7.3]."""

    GENERAL = "general", pgettext_lazy("incident level", "General")
    LARGER = "larger", pgettext_lazy("incident level", "Larger")
    MAJOR = "major", pgettext_lazy("incident level", "Major")


class ResponseLevel(models.IntegerChoices):
    """How strong the response is: level 1 (Ⅰ级) is the strongest, 3 (Ⅲ级) the weakest."""

    LEVEL_1 = 1, _("Response level 1")
    LEVEL_2 = 2, _("Response level 2")
    LEVEL_3 = 3, _("Response level 3")


class Stage(models.TextChoices):
    """The stages of handling, in order (R-SEC-6), then closed."""

    DISCOVERY = "discovery", _("Discovery")
    REPORT = "report", pgettext_lazy("incident stage", "Report")
    RESPONSE = "response", _("Response")
    ANALYSIS = "analysis", _("Analysis")
    RECTIFICATION = "rectification", _("Rectification")
    REVIEW = "review", pgettext_lazy("incident stage", "Review")
    CLOSED = "closed", pgettext_lazy("incident stage", "Closed")


class EventAction(models.TextChoices):
    """What one step on an incident's timeline did."""

    REPORT = "report", pgettext_lazy("incident event", "Reported")
    ADVANCE = "advance", _("Stage advanced")
    LEVEL = "level", _("Level changed")
    NOTE = "note", pgettext_lazy("incident event", "Note")
    LINK = "link", _("Customers or tickets linked")
    REGULATOR = "regulator", _("Regulator notified")
