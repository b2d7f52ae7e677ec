from django.urls import path

from carrierdesk.web.placeholder import page

urlpatterns = [
    path("board/", page, name="board"),
    path("policies/", page, name="policies"),
]
