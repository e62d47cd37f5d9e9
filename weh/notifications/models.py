"""Notices to people: what happened, for whom, whether they read it and whether it was mailed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    ASSIGNMENT = "assignment", _("Review assignment")
    CLARIFICATION = "clarification", _("Clarification")
    SUBMISSION = "submission", _("Assessment submitted")
    DECISION = "decision", _("Decision on an assessment")
    RENEWAL_DUE = "renewal_due", _("Renewal or mid-term check due")
    EXPIRY = "expiry", _("Recognition expired")
    ALERT = "alert", _("Alert about a recognised subject")

    @property
    def description(self) -> Promise:
        return KIND_DESCRIPTIONS[self.value]


# Shown beside each kind on the preferences page, so people know what they switch off.
KIND_DESCRIPTIONS: dict[str, Promise] = {
    NoticeKind.ASSIGNMENT: _("You were assigned to review an assessment."),
    NoticeKind.CLARIFICATION: _(
        "A reviewer asked a question about an assessment, or an applicant answered one."
    ),
    NoticeKind.SUBMISSION: _("An assessment was submitted for review (for the secretariat)."),
    NoticeKind.DECISION: _("A decision was taken on an assessment of yours."),
    NoticeKind.RENEWAL_DUE: _("A recognition's renewal or mid-term check is due."),
    NoticeKind.EXPIRY: _("A recognition expired."),
    NoticeKind.ALERT: _("An alert was filed about a recognised subject (for the secretariat)."),
}


class Notice(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NoticeKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(
        _("link"),
        max_length=500,
        blank=True,
        help_text=_("A path on this site, e.g. /assessments/4/."),
    )
    # False when the person wants only the e-mail: the row still records the mail and the dedupe
    # key (so a daily job does not mail them again), but the inbox does not show it.
    in_app = models.BooleanField(_("shown in the inbox"), default=True)
    dedupe_key = models.CharField(
        _("deduplication key"),
        max_length=200,
        blank=True,
        help_text=_("At most one notice of a kind per person carries the same key."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"], name="notice_inbox_idx"),
        ]
        constraints = [
            # Two runs of a daily job at once must not both notify: the database settles it.
            models.UniqueConstraint(
                fields=["user", "kind", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notice_unique_dedupe_key",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """One person's choice for one kind; no row means both channels are on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NoticeKind.choices)
    in_app = models.BooleanField(_("in the inbox"), default=True)
    email = models.BooleanField(_("by e-mail"), default=True)

    class Meta:
        ordering = ["user", "kind"]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()}"
