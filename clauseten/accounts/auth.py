"""API authentication: a personal token (Authorization: Bearer ct_…) or the browser session (with CSRF)."""

from ninja.security import HttpBearer, django_auth

from .services import api_token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


API_AUTH = [TokenAuth(), django_auth]
