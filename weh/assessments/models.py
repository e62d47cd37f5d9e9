from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from weh.accounts.models import Organisation
from weh.assessments.workflow import State
from weh.core import policy
from weh.core.permissions import RestrictedQuerySet
from weh.registry.models import Subject
from weh.standards.models import Indicator, StandardVersion


class AssessmentStatus(models.TextChoices):
    DRAFT = State.DRAFT.value, _("Draft")
    SUBMITTED = State.SUBMITTED.value, _("Submitted")
    IN_REVIEW = State.IN_REVIEW.value, _("In review")
    RETURNED = State.RETURNED.value, _("Returned")
    RECOGNISED = State.RECOGNISED.value, _("Recognised")
    DECLINED = State.DECLINED.value, _("Declined")
    WITHDRAWN = State.WITHDRAWN.value, _("Withdrawn")
    EXPIRED = State.EXPIRED.value, _("Expired")
    SUSPENDED = State.SUSPENDED.value, _("Suspended")


class AssessmentQuerySet(RestrictedQuerySet):
    owner_field = "owner_id"

    def personal_q(self, user_id: int, permission: str) -> Q | None:
        found: Q | None = None
        if permission in policy.CONTRIBUTOR_PERMISSIONS:
            # A subquery, not a join: each assessment must come once (and stay lockable).
            named = Contributor.objects.filter(user_id=user_id).values("assessment_id")
            found = Q(coordinator_id=user_id) | Q(pk__in=named)
        if permission == policy.ASSESSMENT_VIEW:
            # Reviewers read the assessments they were assigned to (and did not leave).
            from weh.review.models import ReviewAssignment

            reviewing = ReviewAssignment.objects.active().filter(reviewer_id=user_id)
            found = (found or Q()) | Q(pk__in=reviewing.values("assessment_id"))
        return found


class Assessment(models.Model):
    """A subject assessed against one standard version by its owning organisation."""

    subject = models.ForeignKey(
        Subject, verbose_name=_("subject"), on_delete=models.PROTECT, related_name="assessments"
    )
    standard_version = models.ForeignKey(
        StandardVersion,
        verbose_name=_("standard"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    owner = models.ForeignKey(
        Organisation, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="assessments"
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinator"),
        on_delete=models.PROTECT,
        related_name="coordinated_assessments",
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=AssessmentStatus.choices, default=State.DRAFT.value
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    # The latest score, kept with the row so that lists and portfolios need no rescoring.
    overall_percent = models.DecimalField(
        _("overall %"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    overall_count = models.PositiveIntegerField(_("overall count"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=40, blank=True)
    answered = models.PositiveIntegerField(_("answered"), default=0)
    applicable = models.PositiveIntegerField(_("applicable"), default=0)
    criterion_scores = models.JSONField(_("criterion scores"), default=list, blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        indexes = [
            models.Index(fields=["owner", "subject"]),
            models.Index(fields=["subject", "standard_version", "created_at"]),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.subject} — {self.standard_version.key}"


class Contributor(models.Model):
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="contributors"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contributions"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contributor")
        verbose_name_plural = _("contributors")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "user"], name="contributor_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.assessment_id}"


class SuggestionState(models.TextChoices):
    NONE = "", _("No suggestion")
    SUGGESTED = "suggested", _("Suggested")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


class Response(models.Model):
    """The answer to one indicator. ``version`` rises with every save, to catch concurrent edits."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="responses")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="responses")
    rating = models.CharField(_("rating"), max_length=40, blank=True)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    not_applicable_reason = models.TextField(_("why not applicable"), blank=True)
    justification = models.TextField(_("justification"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    suggestion = models.JSONField(
        _("suggestion"),
        null=True,
        blank=True,
        help_text=_("A rating carried over through a crosswalk, for the applicant to confirm."),
    )
    suggestion_state = models.CharField(
        _("suggestion state"), max_length=12, choices=SuggestionState.choices, blank=True
    )

    class Meta:
        ordering = ["assessment", "indicator__position"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="response_once")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.rating or '—'}"

    @property
    def score_value(self) -> str | None:
        """What the scoring engine reads: a rating code, 'not_applicable', or None."""
        if self.not_applicable:
            return "not_applicable"
        return self.rating or None


class ResponseRevision(models.Model):
    """The history of a response: one row per saved version."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    rating = models.CharField(max_length=40, blank=True)
    not_applicable = models.BooleanField(default=False)
    not_applicable_reason = models.TextField(blank=True)
    justification = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["response", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["response", "version"], name="revision_once")
        ]

    def __str__(self) -> str:
        return f"{self.response_id} v{self.version}"


def evidence_path(instance: Evidence, filename: str) -> str:
    # Content-addressed below the assessment: the name a person gave is kept in a field.
    return f"evidence/{instance.response.assessment_id}/{instance.sha256}"


class EvidenceKind(models.TextChoices):
    FILE = "file", _("File")
    LINK = "link", _("Link")


class Evidence(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=8, choices=EvidenceKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to=evidence_path, blank=True, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["response", "added_at", "pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.title or self.original_name or self.url
