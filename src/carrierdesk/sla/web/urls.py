"""Time-limit screens: the supervisor board, policy versions (issue 5 §6, §7)."""

from django.urls import path

from carrierdesk.sla.web import board, policies

urlpatterns = [
    path("board/", board.board, name="board"),
    path("policies/", policies.policies, name="policies"),
    path("policies/<int:pk>/", policies.policy, name="policy"),
]
