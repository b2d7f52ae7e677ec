"""Calendar screens: a year's working days, holidays and adjusted days; import (issue 5 §7)."""

from django.urls import path

from carrierdesk.calendars.web import views

urlpatterns = [
    path("calendars/", views.calendars, name="calendars"),
    path("calendars/<slug:code>/<int:year>/", views.calendar_year, name="calendar-year"),
    path("calendars/<slug:code>/import/", views.calendar_import, name="calendar-import"),
]
