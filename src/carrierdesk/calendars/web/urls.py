from django.urls import path

from carrierdesk.web.placeholder import page

urlpatterns = [
    path("calendars/", page, name="calendars"),
]
