from django.urls import path

from carrierdesk.web.placeholder import page

urlpatterns = [
    path("users/", page, name="users"),
]
