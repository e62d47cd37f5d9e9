from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Small installs create accounts through the admin; the operator may open sign-up.
        return bool(settings.WEH_OPEN_SIGNUP)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        # People who prove who they are at the organisation's identity provider get an account
        # (with no memberships: they see what the public sees until the secretariat adds them).
        return True
