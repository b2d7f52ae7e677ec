"""Calendar screens: a year's working days, holidays and adjusted days; import (issue 5 §7)."""

from django.urls import path

from carrierdesk.calendars.web import views

urlpatterns = [
    path("calendars/", views.calendars, name="calendars"),
]
