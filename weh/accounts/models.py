from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weh.core import policy
from weh.core.permissions import RestrictedQuerySet


class User(AbstractUser):
    """A person. Site-wide staff is Django's ``is_staff``; the rest comes from memberships."""

    preferred_language = models.CharField(_("preferred language"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.get_username()


class OrganisationType(models.TextChoices):
    IUCN_MEMBER = "iucn_member", _("IUCN member")
    COMMISSION = "commission", _("IUCN commission")
    SECRETARIAT = "secretariat", _("Secretariat")
    NATIONAL_GOVERNMENT = "national_government", _("National government")
    SUBNATIONAL_GOVERNMENT = "subnational_government", _("Subnational government")
    NGO = "ngo", _("Non-governmental organisation")
    COMPANY = "company", _("Company")
    INDUSTRY_FEDERATION = "industry_federation", _("Industry federation")
    FUNDER = "funder", _("Funder")
    ACADEMIC = "academic", _("Academic institution")


class Role(models.TextChoices):
    APPLICANT = policy.Role.APPLICANT.value, _("Applicant")
    REVIEWER = policy.Role.REVIEWER.value, _("Reviewer")
    SECRETARIAT = policy.Role.SECRETARIAT.value, _("Secretariat")
    FUNDER = policy.Role.FUNDER.value, _("Funder")
    VIEWER = policy.Role.VIEWER.value, _("Viewer")


class OrganisationQuerySet(RestrictedQuerySet):
    owner_field = "pk"


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    type = models.CharField(_("type"), max_length=30, choices=OrganisationType.choices)
    country = models.CharField(
        _("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code, e.g. KR."), db_index=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class MembershipQuerySet(RestrictedQuerySet):
    owner_field = "organisation_id"

    def personal_q(self, user_id: int, permission: str) -> Q | None:
        # Everyone may see their own memberships.
        return Q(user_id=user_id) if permission == policy.MEMBERSHIP_VIEW else None


class Membership(models.Model):
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.organisation}"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A bearer token for the API. Only a SHA-256 hash of its secret part is stored."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    secret_hash = models.CharField(_("secret hash"), max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} (weh_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )
