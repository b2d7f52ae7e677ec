"""The staff web UI's URLs, one namespace (`web:`) gathered from each app's `web/urls.py`."""

from django.urls import path

from carrierdesk.accounts.web.urls import urlpatterns as accounts_urls
from carrierdesk.calendars.web.urls import urlpatterns as calendars_urls
from carrierdesk.sla.web.urls import urlpatterns as sla_urls
from carrierdesk.tickets.web.urls import urlpatterns as tickets_urls
from carrierdesk.visits.web.urls import urlpatterns as visits_urls
from carrierdesk.web import home, signin

app_name = "web"

urlpatterns = [
    path("", home.home, name="home"),
    path("signin/", signin.sign_in, name="sign-in"),
    path("signin/code/", signin.sign_in_code, name="sign-in-code"),
    path("signout/", signin.sign_out, name="sign-out"),
    path("language/", signin.set_language, name="language"),
    *tickets_urls,
    *visits_urls,
    *sla_urls,
    *calendars_urls,
    *accounts_urls,
]
