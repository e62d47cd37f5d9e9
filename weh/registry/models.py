from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from weh.accounts.models import Organisation
from weh.core import policy
from weh.core.permissions import RestrictedQuerySet


class SubjectKind(models.TextChoices):
    JURISDICTION = "jurisdiction", _("Jurisdiction")
    PROTECTED_AREA = "protected_area", _("Protected or conserved area")
    NBS_INTERVENTION = "nbs_intervention", _("Nature-based solution intervention")


class SubjectStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class IucnCategory(models.TextChoices):
    IA = "Ia", _("Ia — Strict nature reserve")
    IB = "Ib", _("Ib — Wilderness area")
    II = "II", _("II — National park")
    III = "III", _("III — Natural monument or feature")
    IV = "IV", _("IV — Habitat or species management area")
    V = "V", _("V — Protected landscape or seascape")
    VI = "VI", _("VI — Protected area with sustainable use of natural resources")
    NOT_REPORTED = "not_reported", _("Not reported")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")
    NOT_ASSIGNED = "not_assigned", _("Not assigned")


class GovernanceType(models.TextChoices):
    GOVERNMENT_NATIONAL = "government_national", _("Federal or national ministry or agency")
    GOVERNMENT_SUBNATIONAL = "government_subnational", _("Sub-national ministry or agency")
    GOVERNMENT_DELEGATED = "government_delegated", _("Government-delegated management")
    SHARED_TRANSBOUNDARY = "shared_transboundary", _("Transboundary governance")
    SHARED_COLLABORATIVE = "shared_collaborative", _("Collaborative governance")
    SHARED_JOINT = "shared_joint", _("Joint governance")
    PRIVATE_INDIVIDUAL = "private_individual", _("Individual landowners")
    PRIVATE_NONPROFIT = "private_nonprofit", _("Non-profit organisations")
    PRIVATE_FORPROFIT = "private_forprofit", _("For-profit organisations")
    INDIGENOUS_PEOPLES = "indigenous_peoples", _("Indigenous peoples")
    LOCAL_COMMUNITIES = "local_communities", _("Local communities")


class SocietalChallenge(models.TextChoices):
    CLIMATE_CHANGE = "climate_change", _("Climate change mitigation and adaptation")
    DISASTER_RISK = "disaster_risk", _("Disaster risk reduction")
    ECONOMIC_DEVELOPMENT = "economic_development", _("Economic and social development")
    HUMAN_HEALTH = "human_health", _("Human health")
    FOOD_SECURITY = "food_security", _("Food security")
    WATER_SECURITY = "water_security", _("Water security")
    BIODIVERSITY_LOSS = "biodiversity_loss", _("Environmental degradation and biodiversity loss")


class Ecosystem(models.TextChoices):
    FOREST = "forest", _("Forest")
    GRASSLAND = "grassland", _("Grassland and savanna")
    WETLAND = "wetland", _("Wetland")
    MANGROVE = "mangrove", _("Mangrove")
    RIVER_LAKE = "river_lake", _("River and lake")
    COASTAL_MARINE = "coastal_marine", _("Coastal and marine")
    MOUNTAIN = "mountain", _("Mountain")
    URBAN = "urban", _("Urban")
    AGRICULTURAL = "agricultural", _("Agricultural land")
    DRYLANDS = "drylands", _("Drylands")
    PEATLAND = "peatland", _("Peatland")


class SubjectQuerySet(RestrictedQuerySet):
    owner_field = "owner_id"

    def public_q(self, permission: str) -> Q | None:
        # The public registry shows published subjects; drafts stay with their organisation.
        if permission == policy.SUBJECT_VIEW:
            return Q(status=SubjectStatus.PUBLISHED)
        return None

    def organisation_permission(self, permission: str) -> str:
        # Within the owning organisation, seeing a subject means seeing drafts too.
        return policy.SUBJECT_VIEW_DRAFT if permission == policy.SUBJECT_VIEW else permission


class Subject(models.Model):
    """Something that gets assessed: a jurisdiction, a protected area or an NbS intervention."""

    kind = models.CharField(_("kind"), max_length=20, choices=SubjectKind.choices)
    owner = models.ForeignKey(
        Organisation, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="subjects"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=SubjectStatus.choices, default=SubjectStatus.DRAFT
    )
    name = models.CharField(_("name"), max_length=200)
    names = models.JSONField(
        _("names by language"), default=dict, blank=True, help_text=_('e.g. {"fr": "…"}')
    )
    description = models.TextField(_("description"), blank=True)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2."))
    search_text = models.TextField(editable=False, default="")

    subdivision_code = models.CharField(_("ISO 3166-2 code"), max_length=10, blank=True)
    admin_level = models.PositiveSmallIntegerField(_("administrative level"), null=True, blank=True)
    population = models.PositiveBigIntegerField(_("population"), null=True, blank=True)
    area_km2 = models.DecimalField(
        _("reported area (km²)"), max_digits=14, decimal_places=3, null=True, blank=True
    )

    iucn_category = models.CharField(
        _("IUCN management category"), max_length=20, choices=IucnCategory.choices, blank=True
    )
    governance_type = models.CharField(
        _("governance type"), max_length=30, choices=GovernanceType.choices, blank=True
    )
    designation = models.CharField(_("designation"), max_length=200, blank=True)
    wdpa_id = models.PositiveBigIntegerField(_("WDPA id"), null=True, blank=True)

    societal_challenges = models.JSONField(_("societal challenges"), default=list, blank=True)
    ecosystems = models.JSONField(_("ecosystems"), default=list, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    budget_currency = models.CharField(_("budget currency"), max_length=3, blank=True)

    geometry = models.JSONField(_("geometry (GeoJSON)"), null=True, blank=True)
    geometry_kind = models.CharField(_("geometry type"), max_length=20, blank=True)
    geometry_area_km2 = models.FloatField(_("mapped area (km²)"), null=True, blank=True)
    centroid_lon = models.FloatField(_("centroid longitude"), null=True, blank=True)
    centroid_lat = models.FloatField(_("centroid latitude"), null=True, blank=True)
    bbox = models.JSONField(_("bounding box"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SubjectQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        indexes = [
            models.Index(fields=["status", "name"]),
            models.Index(fields=["country", "name"]),
            models.Index(fields=["kind", "name"]),
            models.Index(fields=["owner", "name"]),
            # The list's commonest filter (country and kind, published for the public): counted
            # from the index alone, and its first page read in order without a sort.
            models.Index(fields=["country", "kind", "status", "name"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_published(self) -> bool:
        return self.status == SubjectStatus.PUBLISHED

    def display_name(self, language: str | None = None) -> str:
        """The name in ``language`` (default: the active one), falling back to the main name."""
        language = (language or get_language() or "en").lower()
        for code in (language, language.split("-")[0], "zh" if language.startswith("zh") else ""):
            if code and self.names.get(code):
                return str(self.names[code])
        return self.name
