"""WSGI entry point (served by gunicorn through `carrierdesk serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carrierdesk.config.settings.base")
application = get_wsgi_application()
