"""Listening on the network requires a login (set with `paintflow studio --set-password`)."""

from django.conf import settings
from django.shortcuts import redirect

OPEN = ("/login/",)


class LoginOnTheNetwork:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        local = request.META.get("REMOTE_ADDR") in ("127.0.0.1", "::1")
        if (settings.NETWORK or not local) and not request.user.is_authenticated and request.path not in OPEN:
            return redirect(f"{settings.LOGIN_URL}?next={request.path}")
        return self.get_response(request)
