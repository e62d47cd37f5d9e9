"""Independent review and recognition: reviewers, assignments, clarifications, the timeline,
decisions, recognitions with their certificates, pledges and alerts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weh.accounts.models import Organisation
from weh.assessments.models import Assessment, AssessmentStatus
from weh.core import policy
from weh.core.permissions import RestrictedQuerySet
from weh.registry.models import Subject
from weh.standards.models import Indicator, StandardVersion

User = settings.AUTH_USER_MODEL


class ReviewerProfile(models.Model):
    """A member of the reviewer pool and what they know."""

    user = models.OneToOneField(
        User, verbose_name=_("reviewer"), on_delete=models.CASCADE, related_name="reviewer_profile"
    )
    standards = models.JSONField(
        _("standards"), default=list, blank=True, help_text=_("Standard ids, e.g. iucn-nbs.")
    )
    regions = models.JSONField(
        _("countries"), default=list, blank=True, help_text=_("ISO 3166-1 alpha-2 codes.")
    )
    languages = models.JSONField(
        _("languages"), default=list, blank=True, help_text=_("Language codes, e.g. en, fr.")
    )
    bio = models.TextField(_("background"), blank=True)
    active = models.BooleanField(_("in the pool"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reviewer")
        verbose_name_plural = _("reviewers")

    def __str__(self) -> str:
        return str(self.user)


class AssignmentState(models.TextChoices):
    ASSIGNED = "assigned", _("Awaiting declaration")
    ACCEPTED = "accepted", _("Reviewing")
    SUBMITTED = "submitted", _("Review submitted")
    RECUSED = "recused", _("Recused (conflict declared)")
    REMOVED = "removed", _("Removed")


ACTIVE_ASSIGNMENT_STATES = (
    AssignmentState.ASSIGNED,
    AssignmentState.ACCEPTED,
    AssignmentState.SUBMITTED,
)


class Recommendation(models.TextChoices):
    RECOGNISE = "recognise", _("Recognise")
    DECLINE = "decline", _("Decline")


class ReviewAssignmentQuerySet(models.QuerySet["ReviewAssignment"]):
    def active(self) -> ReviewAssignmentQuerySet:
        return self.filter(state__in=ACTIVE_ASSIGNMENT_STATES)


class ReviewAssignment(models.Model):
    """One reviewer on one assessment, with their declaration, ratings and recommendation."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="review_assignments"
    )
    reviewer = models.ForeignKey(
        User, verbose_name=_("reviewer"), on_delete=models.PROTECT, related_name="assignments"
    )
    assigned_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(_("assigned"), auto_now_add=True)
    state = models.CharField(
        _("state"), max_length=12, choices=AssignmentState.choices, default=AssignmentState.ASSIGNED
    )
    declaration = models.TextField(_("declaration"), blank=True)
    declared_at = models.DateTimeField(_("declared"), null=True, blank=True)
    declaration_sha256 = models.CharField(max_length=64, blank=True)
    conflict_note = models.TextField(_("conflict declared"), blank=True)
    recommendation = models.CharField(
        _("recommendation"), max_length=12, choices=Recommendation.choices, blank=True
    )
    recommended_tier = models.CharField(_("recommended tier"), max_length=40, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    objects = ReviewAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["assessment", "assigned_at", "pk"]
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "reviewer"], name="assignment_once")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.assessment_id}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_ASSIGNMENT_STATES


class ReviewRating(models.Model):
    """A reviewer's own rating of one indicator (hidden from other reviewers until they submit)."""

    assignment = models.ForeignKey(
        ReviewAssignment, on_delete=models.CASCADE, related_name="ratings"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(_("rating"), max_length=40, blank=True)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    comment = models.TextField(_("comment"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assignment", "indicator__position"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "indicator"], name="review_rating_once")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.rating or '—'}"


class ClarificationState(models.TextChoices):
    OPEN = "open", _("Awaiting the applicant")
    ANSWERED = "answered", pgettext_lazy("clarification", "Answered")
    CLOSED = "closed", _("Closed")


class Clarification(models.Model):
    """The question-and-answer thread about one indicator of one assessment."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="clarifications"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        _("state"), max_length=10, choices=ClarificationState.choices, default="open"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assessment", "indicator__position"]
        verbose_name = _("clarification")
        verbose_name_plural = _("clarifications")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="clarification_once")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.indicator_id}"


class Message(models.Model):
    clarification = models.ForeignKey(
        Clarification, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    author_role = models.CharField(max_length=12)
    body = models.TextField(_("message"))
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["clarification", "sent_at", "pk"]

    def __str__(self) -> str:
        return self.body[:40]


def field_visit_path(instance: FieldVisit, filename: str) -> str:
    return f"field-visits/{instance.assignment.assessment_id}/{instance.sha256}"


class FieldVisit(models.Model):
    """A reviewer's verification of the evidence on site (needed for the certified tier)."""

    assignment = models.ForeignKey(
        ReviewAssignment, on_delete=models.CASCADE, related_name="field_visits"
    )
    visited_on = models.DateField(_("visited on"))
    place = models.CharField(_("place"), max_length=200)
    findings = models.TextField(_("findings"))
    file = models.FileField(_("report"), upload_to=field_visit_path, blank=True, max_length=300)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assignment", "visited_on", "pk"]
        verbose_name = _("field visit")
        verbose_name_plural = _("field visits")

    def __str__(self) -> str:
        return f"{self.place} {self.visited_on}"


class Pledge(models.Model):
    """An organisation's signed commitment to the WEH principles (the committed tier)."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="pledges",
    )
    signatory_name = models.CharField(_("signed by"), max_length=200)
    signatory_title = models.CharField(_("signatory's title"), max_length=200)
    signed_on = models.DateField(_("signed on"))
    principles = models.CharField(_("principles"), max_length=40, default="WEH principles 1.0")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-signed_on", "-pk"]
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")

    def __str__(self) -> str:
        return f"{self.organisation} — {self.signed_on}"


class Transition(models.Model):
    """One step of an assessment's workflow: the timeline."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="timeline")
    action = models.CharField(_("action"), max_length=20)
    from_state = models.CharField(_("from"), max_length=12, choices=AssessmentStatus.choices)
    to_state = models.CharField(_("to"), max_length=12, choices=AssessmentStatus.choices)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_role = models.CharField(_("as"), max_length=12)
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    log_index = models.BigIntegerField(_("public log index"), null=True, blank=True)

    class Meta:
        ordering = ["assessment", "at", "pk"]
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.from_state} → {self.to_state}"


class DecisionOutcome(models.TextChoices):
    RECOGNISED = "recognised", _("Recognised")
    DECLINED = "declined", _("Declined")


class Decision(models.Model):
    """The secretariat's decision on an assessment, with its reasons."""

    assessment = models.OneToOneField(Assessment, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(_("outcome"), max_length=12, choices=DecisionOutcome.choices)
    tier = models.CharField(_("assurance tier"), max_length=40, blank=True)
    level = models.CharField(_("level"), max_length=40, blank=True)
    overall_percent = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    overall_count = models.PositiveIntegerField(null=True, blank=True)
    criterion_scores = models.JSONField(default=list, blank=True)
    reasons = models.TextField(_("reasons"))
    committee = models.CharField(_("recognition committee"), max_length=300, blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.outcome}"


class RecognitionStatus(models.TextChoices):
    ACTIVE = "active", _("Recognised")
    SUSPENDED = "suspended", _("Suspended")
    EXPIRED = "expired", _("Expired")


class RecognitionQuerySet(RestrictedQuerySet):
    owner_field = "owner_id"

    def public_q(self, permission: str) -> Q | None:
        # The registry is public: every recognition ever granted, with its current status.
        return Q() if permission == policy.SUBJECT_VIEW else None


class Recognition(models.Model):
    """A subject recognised against a standard at a tier and level, for a validity period.

    The subject's name, kind, country and position are copied at the decision so that the public
    registry lists thousands of recognitions from one table.
    """

    serial = models.CharField(_("certificate number"), max_length=20, unique=True)
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="recognition")
    assessment = models.OneToOneField(
        Assessment, on_delete=models.PROTECT, related_name="recognition"
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="recognitions")
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    standard_version = models.ForeignKey(
        StandardVersion, on_delete=models.PROTECT, related_name="+"
    )
    standard = models.CharField(_("standard"), max_length=40, db_index=True)
    tier = models.CharField(_("assurance tier"), max_length=40)
    level = models.CharField(_("level"), max_length=40)
    overall_percent = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    overall_count = models.PositiveIntegerField(null=True, blank=True)
    criterion_scores = models.JSONField(default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RecognitionStatus.choices, default="active"
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    midterm_check_on = models.DateField(_("mid-term check"), null=True, blank=True)
    subject_name = models.CharField(max_length=200)
    subject_kind = models.CharField(max_length=20)
    country = models.CharField(max_length=2)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    certificate = models.JSONField(_("signed certificate"), default=dict, blank=True)
    log_index = models.BigIntegerField(_("public log index"), null=True, blank=True)
    renewal = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="renews"
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = RecognitionQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from", "-pk"]
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")
        indexes = [
            models.Index(fields=["status", "standard", "tier"]),
            models.Index(fields=["country", "status"]),
            models.Index(fields=["subject_kind", "status"]),
            # The registry lists newest first, within a status or across all.
            models.Index(fields=["status", "valid_from", "id"], name="recognition_status_newest"),
            models.Index(fields=["valid_from", "id"], name="recognition_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.serial} {self.subject_name}"


class AlertState(models.TextChoices):
    OPEN = "open", _("Open")
    SUBSTANTIATED = "substantiated", _("Substantiated")
    DISMISSED = "dismissed", _("Dismissed")
    CLOSED = "closed", _("Closed")


class Alert(models.Model):
    """A concern about a recognised subject, filed by anyone and triaged by the secretariat."""

    recognition = models.ForeignKey(Recognition, on_delete=models.CASCADE, related_name="alerts")
    filed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact = models.EmailField(_("your e-mail (optional)"), blank=True)
    body = models.TextField(_("what is wrong"))
    filed_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(_("state"), max_length=14, choices=AlertState.choices, default="open")
    triaged_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    triage_note = models.TextField(_("triage note"), blank=True)

    class Meta:
        ordering = ["-filed_at", "-pk"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self) -> str:
        return f"{self.recognition_id}: {self.body[:40]}"
