"""Staff screens: users and roles (issue 5 §7)."""

from django.urls import path

from carrierdesk.accounts.web import views

urlpatterns = [
    path("users/", views.users, name="users"),
]
