from django.urls import path

from carrierdesk.web.placeholder import page

urlpatterns = [
    path("intake/", page, name="intake"),
    path("tickets/", page, name="queue"),
    path("tickets/<str:number>/", page, name="ticket"),
    path("dispatch/", page, name="dispatch"),
]
