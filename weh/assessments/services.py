"""Writes on assessments: start, answer indicators, evidence, suggestions, contributors, submit.

Each function validates, authorises, writes in one transaction and records the audit entry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from weh.accounts.models import User
from weh.assessments import workflow
from weh.assessments.models import (
    Assessment,
    Contributor,
    Evidence,
    EvidenceKind,
    Response,
    ResponseRevision,
    SuggestionState,
)
from weh.core import audit, policy
from weh.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from weh.core.permissions import get_for, grants_for
from weh.registry.models import Subject, SubjectKind
from weh.standards.models import CrosswalkLink, StandardVersion
from weh.standards.scoring import NOT_APPLICABLE
from weh.standards.selectors import get_standard_version

# Evidence files: the types people actually send, each recognised by its first bytes.
EVIDENCE_TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
    ".csv": ("text/csv", None),
    ".txt": ("text/plain", None),
    ".geojson": ("application/geo+json", None),
    ".json": ("application/json", None),
}


def _assessment_for(actor: Any, assessment_id: int, permission: str) -> Assessment:
    # Locked for the transaction: saves to one assessment queue up, so that each rescore sees
    # every answer committed before it and the stored figures are never stale.
    return get_for(
        Assessment.objects.select_for_update(of=("self",)).select_related(
            "standard_version", "subject"
        ),
        actor,
        permission,
        view_permission=policy.ASSESSMENT_VIEW,
        pk=assessment_id,
    )


def _editable(assessment: Assessment) -> None:
    if not workflow.is_editable(assessment.status):
        raise Conflict(
            _(
                "This assessment is %(status)s; answers can change only while it is a draft or "
                "returned."
            )
            % {"status": assessment.get_status_display()}
        )


def rescore(assessment: Assessment) -> None:
    """Score the assessment from its responses and keep the figures on its row."""
    model = assessment.standard_version.scoring_model()
    answers = {
        code: (NOT_APPLICABLE if na else (rating or None))
        for code, rating, na in assessment.responses.values_list(
            "indicator__code", "rating", "not_applicable"
        )
    }
    result = model.score(answers)
    assessment.overall_percent = result.overall.value if result.overall is not None else None
    assessment.overall_count = result.overall_count
    assessment.outcome = result.outcome
    assessment.answered = result.answered
    assessment.applicable = result.applicable
    assessment.criterion_scores = [
        {
            "code": c.code,
            "percent": str(c.percent.value) if c.percent is not None else None,
            "band": c.band,
        }
        for c in result.criteria
    ]
    assessment.save(
        update_fields=[
            "overall_percent",
            "overall_count",
            "outcome",
            "answered",
            "applicable",
            "criterion_scores",
            "updated_at",
        ]
    )


@transaction.atomic
def start_assessment(*, actor: User, subject_id: int, standard: str, title: str = "") -> Assessment:
    """Start assessing a subject against a standard version (``id@version`` or ``id``).

    Indicators mapped by a crosswalk from the subject's other assessments are pre-filled as
    suggestions that the applicant confirms or dismisses.
    """
    subject = get_for(
        Subject.objects.select_related("owner"),
        actor,
        policy.SUBJECT_VIEW,
        view_permission=policy.SUBJECT_VIEW,
        pk=subject_id,
    )
    if not grants_for(actor).allows(policy.ASSESSMENT_ADD, subject.owner_id):
        raise PermissionDenied(
            _("Only applicants of %(organisation)s can start assessments of this subject.")
            % {"organisation": subject.owner}
        )
    try:
        version = get_standard_version(standard)
    except LookupError:
        raise ValidationFailed(
            {"standard": [_("No standard '%(key)s' is loaded.") % {"key": standard}]}
        ) from None
    if subject.kind not in version.applies_to:
        raise ValidationFailed(
            {
                "standard": [
                    _("%(standard)s does not apply to subjects of kind '%(kind)s'.")
                    % {"standard": version.display_title, "kind": SubjectKind(subject.kind).label}
                ]
            }
        )
    title = (title or "").strip()[:200]
    assessment = Assessment.objects.create(
        subject=subject,
        standard_version=version,
        owner=subject.owner,
        coordinator=actor,
        title=title,
    )
    Response.objects.bulk_create(
        Response(assessment=assessment, indicator=indicator)
        for indicator in version.indicator_rows.all()
    )
    suggested = _suggest_from_crosswalks(assessment)
    rescore(assessment)
    audit.record(
        actor=actor,
        action="start",
        target=assessment,
        after={**audit.snapshot(assessment), "suggestions": suggested},
    )
    return assessment


def _mapped_rating(source: StandardVersion, rating: str, target: StandardVersion) -> str:
    """The target rating at the same share of the maximum, rounded down (never overstated)."""
    source_scale = source.parsed().rating_scale.ratings
    target_scale = target.parsed().rating_scale.ratings
    points = {r.code: r.points for r in source_scale}
    share = points[rating] * target_scale[-1].points
    top = source_scale[-1].points
    chosen = target_scale[0].code
    for candidate in target_scale:
        if candidate.points * top <= share:
            chosen = candidate.code
    return chosen


def _suggest_from_crosswalks(assessment: Assessment) -> int:
    """Pre-fill suggestions from the latest other assessment of the subject, per standard."""
    target = assessment.standard_version
    others = (
        Assessment.objects.filter(subject_id=assessment.subject_id)
        .exclude(pk=assessment.pk)
        .exclude(standard_version=target)
        .select_related("standard_version")
        .order_by("standard_version_id", "-created_at")
    )
    latest: dict[int, Assessment] = {}
    for other in others:
        latest.setdefault(other.standard_version_id, other)
    if not latest:
        return 0
    responses = {r.indicator_id: r for r in assessment.responses.select_related("indicator")}
    links = CrosswalkLink.objects.filter(
        crosswalk__source=target, crosswalk__target_id__in=list(latest)
    ).select_related("source", "target", "crosswalk") | CrosswalkLink.objects.filter(
        crosswalk__target=target, crosswalk__source_id__in=list(latest)
    ).select_related("source", "target", "crosswalk")
    suggested = 0
    for link in links.order_by("pk"):
        # The link may run either way; "here" is this assessment's indicator.
        if link.source.standard_version_id == target.pk:
            here, there = link.source, link.target
        else:
            here, there = link.target, link.source
        other = latest[there.standard_version_id]
        source_response = other.responses.filter(indicator=there).exclude(rating="").first()
        response = responses.get(here.pk)
        if source_response is None or response is None:
            continue
        current = response.suggestion
        # Prefer an equivalent mapping over a partial one when several point here.
        if current and current.get("strength") == "equivalent" and link.strength == "partial":
            continue
        response.suggestion = {
            "rating": _mapped_rating(other.standard_version, source_response.rating, target),
            "strength": link.strength,
            "crosswalk": link.crosswalk.crosswalk_id,
            "from_assessment": other.pk,
            "from_standard": other.standard_version.key,
            "from_indicator": there.code,
            "from_rating": source_response.rating,
            "from_response": source_response.pk,
            "justification": source_response.justification,
        }
        response.suggestion_state = SuggestionState.SUGGESTED
        response.save(update_fields=["suggestion", "suggestion_state"])
        suggested += 1
    return suggested


class ResponseConflict(Conflict):
    """Someone else saved this indicator since the editor loaded it."""


def _check_response(
    assessment: Assessment, response: Response, values: Mapping[str, Any], field_prefix: str = ""
) -> dict[str, Any]:
    """Validate the new values of one response; return them cleaned or raise ValidationFailed."""
    definition = assessment.standard_version.parsed()
    indicator = next(i for i in definition.indicators() if i.code == response.indicator.code)
    scale = definition.rating_scale
    codes = [r.code for r in scale.ratings]
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(f"{field_prefix}{field}", []).append(message)

    clean = {
        "rating": values.get("rating", response.rating) or "",
        "not_applicable": bool(values.get("not_applicable", response.not_applicable)),
        "not_applicable_reason": str(
            values.get("not_applicable_reason", response.not_applicable_reason) or ""
        ).strip(),
        "justification": str(values.get("justification", response.justification) or "").strip(),
    }
    if clean["rating"] and clean["rating"] not in codes:
        error("rating", _("Choose one of: %(choices)s.") % {"choices": ", ".join(codes)})
    if clean["not_applicable"]:
        if not definition.allows_not_applicable(indicator):
            error("not_applicable", _("This indicator cannot be marked not applicable."))
        if not clean["not_applicable_reason"]:
            error("not_applicable_reason", _("Say why this indicator does not apply."))
        clean["rating"] = ""
    threshold = scale.justification_required_above
    if (
        clean["rating"] in codes
        and threshold is not None
        and codes.index(clean["rating"]) > codes.index(threshold)
        and not clean["justification"]
    ):
        error(
            "justification",
            _("Explain this rating: a justification is required for any rating above %(lowest)s.")
            % {"lowest": _rating_label(definition, threshold)},
        )
    if len(clean["justification"]) > 20000:
        error("justification", _("Use at most 20,000 characters."))
    if errors:
        raise ValidationFailed(errors)
    return clean


def _rating_label(definition: Any, code: str) -> str:
    from weh.standards.models import in_language

    for rating in definition.rating_scale.ratings:
        if rating.code == code:
            return in_language(rating.label)
    return code


def _check_version(response: Response, expected_version: int | None) -> None:
    """Refuse to overwrite a save made since the editor loaded ``expected_version``."""
    if expected_version is None or expected_version == response.version:
        return
    who = response.updated_by.get_username() if response.updated_by else "?"
    conflict = ResponseConflict(
        _(
            "%(who)s saved indicator %(code)s while you were editing it (version %(theirs)d, "
            "you started from %(yours)d). Their answer is shown; merge your changes and save "
            "again."
        )
        % {
            "who": who,
            "code": response.indicator.code,
            "theirs": response.version,
            "yours": expected_version,
        }
    )
    conflict.extra = {"current": response_state(response)}
    raise conflict


def record_answer(actor: User, response: Response, clean: Mapping[str, Any]) -> bool:
    """Write the cleaned values as a new version; False (and no write) when nothing changed."""
    if all(getattr(response, key) == value for key, value in clean.items()):
        return False
    before = {k: getattr(response, k) for k in clean} | {"version": response.version}
    for key, value in clean.items():
        setattr(response, key, value)
    response.version += 1
    response.updated_by = actor
    if response.suggestion_state == SuggestionState.SUGGESTED and response.rating:
        # Answering an indicator by hand settles its suggestion.
        response.suggestion_state = SuggestionState.DISMISSED
    response.save()
    ResponseRevision.objects.create(
        response=response,
        version=response.version,
        rating=response.rating,
        not_applicable=response.not_applicable,
        not_applicable_reason=response.not_applicable_reason,
        justification=response.justification,
        changed_by=actor,
    )
    audit.record(
        actor=actor,
        action="answer",
        target=response,
        before=before,
        after={k: getattr(response, k) for k in clean} | {"version": response.version},
    )
    return True


def response_state(response: Response) -> dict[str, Any]:
    return {
        "indicator": response.indicator.code,
        "rating": response.rating,
        "not_applicable": response.not_applicable,
        "not_applicable_reason": response.not_applicable_reason,
        "justification": response.justification,
        "version": response.version,
        "updated_by": response.updated_by.get_username() if response.updated_by else None,
        "updated_at": response.updated_at,
    }


def _locked_response(assessment: Assessment, indicator_code: str) -> Response:
    response = (
        Response.objects.select_for_update(of=("self",))
        .select_related("indicator", "updated_by")
        .filter(assessment=assessment, indicator__code=indicator_code)
        .first()
    )
    if response is None:
        raise NotFound(
            _("Indicator %(code)s is not part of this assessment.") % {"code": indicator_code}
        )
    return response


@transaction.atomic
def save_response(
    *,
    actor: User,
    assessment_id: int,
    indicator: str,
    values: Mapping[str, Any],
    expected_version: int | None = None,
) -> Response:
    """Save one indicator's answer. With ``expected_version``, refuse to overwrite a newer save."""
    assessment = _assessment_for(actor, assessment_id, policy.ASSESSMENT_CHANGE)
    _editable(assessment)
    response = _locked_response(assessment, indicator)
    _check_version(response, expected_version)
    clean = _check_response(assessment, response, values)
    if record_answer(actor, response, clean):
        rescore(assessment)
    return response


@transaction.atomic
def save_responses(
    *, actor: User, assessment_id: int, items: Sequence[Mapping[str, Any]]
) -> list[Response]:
    """Save several answers at once: all of them, or (on any error) none."""
    assessment = _assessment_for(actor, assessment_id, policy.ASSESSMENT_CHANGE)
    _editable(assessment)
    errors: dict[str, list[str]] = {}
    prepared = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        code = str(item.get("indicator", ""))
        if code in seen:
            errors[f"responses[{index}].indicator"] = [_("This indicator is listed twice.")]
            continue
        seen.add(code)
        try:
            response = _locked_response(assessment, code)
        except NotFound as missing:
            errors[f"responses[{index}].indicator"] = [str(missing.detail)]
            continue
        _check_version(response, item.get("version"))
        try:
            clean = _check_response(assessment, response, item, f"responses[{index}].")
        except ValidationFailed as invalid:
            errors.update(invalid.errors)
            continue
        prepared.append((response, clean))
    if errors:
        raise ValidationFailed(errors)
    changed = [record_answer(actor, response, clean) for response, clean in prepared]
    if any(changed):
        rescore(assessment)
    return [response for response, _clean in prepared]


@transaction.atomic
def confirm_suggestion(*, actor: User, assessment_id: int, indicator: str) -> Response:
    """Take over a crosswalk suggestion: its rating, its justification and its evidence."""
    assessment = _assessment_for(actor, assessment_id, policy.ASSESSMENT_CHANGE)
    _editable(assessment)
    response = _locked_response(assessment, indicator)
    if response.suggestion_state != SuggestionState.SUGGESTED or not response.suggestion:
        raise Conflict(_("There is no open suggestion for this indicator."))
    suggestion = response.suggestion
    note = _("Carried over from %(standard)s %(indicator)s (%(strength)s match).") % {
        "standard": suggestion["from_standard"],
        "indicator": suggestion["from_indicator"],
        "strength": suggestion["strength"],
    }
    justification = "\n\n".join(p for p in (suggestion.get("justification"), note) if p)
    clean = _check_response(
        assessment,
        response,
        {"rating": suggestion["rating"], "justification": justification, "not_applicable": False},
    )
    record_answer(actor, response, clean)
    response.suggestion_state = SuggestionState.CONFIRMED
    response.save(update_fields=["suggestion_state"])
    source = Response.objects.filter(pk=suggestion.get("from_response")).first()
    if source is not None:
        for item in source.evidence.all():
            # The same stored file serves both assessments: no second copy, same hash.
            Evidence.objects.create(
                response=response,
                kind=item.kind,
                title=item.title,
                file=item.file.name,
                original_name=item.original_name,
                content_type=item.content_type,
                size=item.size,
                sha256=item.sha256,
                url=item.url,
                added_by=actor,
            )
    rescore(assessment)
    return response


@transaction.atomic
def dismiss_suggestion(*, actor: User, assessment_id: int, indicator: str) -> Response:
    assessment = _assessment_for(actor, assessment_id, policy.ASSESSMENT_CHANGE)
    _editable(assessment)
    response = _locked_response(assessment, indicator)
    if response.suggestion_state != SuggestionState.SUGGESTED:
        raise Conflict(_("There is no open suggestion for this indicator."))
    response.suggestion_state = SuggestionState.DISMISSED
    response.save(update_fields=["suggestion_state"])
    audit.record(
        actor=actor, action="dismiss-suggestion", target=response, after={"indicator": indicator}
    )
    return response


def _sniff(name: str, head: bytes) -> str:
    """The content type of an upload, from its extension checked against its first bytes."""
    dot = name.rfind(".")
    extension = name[dot:].lower() if dot >= 0 else ""
    if extension not in EVIDENCE_TYPES:
        raise ValidationFailed(
            {
                "file": [
                    _("Files of this type are not accepted. Use one of: %(types)s.")
                    % {"types": ", ".join(sorted(EVIDENCE_TYPES))}
                ]
            }
        )
    content_type, signatures = EVIDENCE_TYPES[extension]
    if signatures is None:
        if b"\x00" in head:
            raise ValidationFailed({"file": [_("This file is not text, as its name says.")]})
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the end of the sample is fine.
            if error.start < len(head) - 4:
                raise ValidationFailed({"file": [_("Text files must be UTF-8 encoded.")]}) from None
    elif not any(head.startswith(signature) for signature in signatures):
        raise ValidationFailed(
            {
                "file": [
                    _("The file's content does not match its %(extension)s name.")
                    % {"extension": extension}
                ]
            }
        )
    return content_type


def check_upload(upload: Any) -> tuple[str, str]:
    """Check an uploaded file's size and type; its content type and SHA-256 (file rewound)."""
    limit = settings.WEH_MAX_EVIDENCE_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationFailed(
            {"file": [_("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)}]}
        )
    if upload.size == 0:
        raise ValidationFailed({"file": [_("The file is empty.")]})
    upload.seek(0)
    content_type = _sniff(upload.name or "", upload.read(2048))
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return content_type, digest.hexdigest()


@transaction.atomic
def add_evidence_file(
    *, actor: User, assessment_id: int, indicator: str, upload: Any, title: str = ""
) -> Evidence:
    """Attach an uploaded file to an indicator's answer (type- and size-checked, hashed)."""
    assessment = _assessment_for(actor, assessment_id, policy.ASSESSMENT_CHANGE)
    _editable(assessment)
    response = _locked_response(assessment, indicator)
    content_type, sha256 = check_upload(upload)
    evidence = Evidence(
        response=response,
        kind=EvidenceKind.FILE,
        title=(title or "").strip()[:200],
        original_name=(upload.name or "")[-255:],
        content_type=content_type,
        size=upload.size,
        sha256=sha256,
        added_by=actor,
    )
    existing = Evidence.objects.filter(sha256=evidence.sha256).exclude(file="").first()
    if existing is not None and existing.file.storage.exists(existing.file.name):
        evidence.file.name = existing.file.name
        evidence.save()
    else:
        evidence.file.save(evidence.sha256, ContentFile(upload.read()), save=True)
    audit.record(
        actor=actor, action="add-evidence", target=evidence, after=audit.snapshot(evidence)
    )
    return evidence


@transaction.atomic
def add_evidence_link(
    *, actor: User, assessment_id: int, indicator: str, url: str, title: str = ""
) -> Evidence:
    assessment = _assessment_for(actor, assessment_id, policy.ASSESSMENT_CHANGE)
    _editable(assessment)
    response = _locked_response(assessment, indicator)
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 1000:
        raise ValidationFailed(
            {"url": [_("Give a web address starting with https:// or http://.")]}
        )
    evidence = Evidence.objects.create(
        response=response,
        kind=EvidenceKind.LINK,
        url=url,
        title=(title or "").strip()[:200],
        added_by=actor,
    )
    audit.record(
        actor=actor, action="add-evidence", target=evidence, after=audit.snapshot(evidence)
    )
    return evidence


@transaction.atomic
def remove_evidence(*, actor: User, evidence_id: int) -> None:
    evidence = (
        Evidence.objects.select_related("response__assessment").filter(pk=evidence_id).first()
    )
    if evidence is None:
        raise NotFound()
    assessment = _assessment_for(actor, evidence.response.assessment_id, policy.ASSESSMENT_CHANGE)
    _editable(assessment)
    audit.record(
        actor=actor, action="remove-evidence", target=evidence, before=audit.snapshot(evidence)
    )
    evidence.delete()


@transaction.atomic
def add_contributor(*, actor: User, assessment_id: int, user_id: int) -> Contributor:
    assessment = _assessment_for(actor, assessment_id, policy.ASSESSMENT_SUBMIT)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ValidationFailed(
            {"user_id": [_("No active user has the id %(id)s.") % {"id": user_id}]}
        )
    if Contributor.objects.filter(assessment=assessment, user=user).exists():
        raise Conflict(_("This person already contributes to the assessment."))
    contributor = Contributor.objects.create(assessment=assessment, user=user)
    audit.record(
        actor=actor,
        action="add-contributor",
        target=assessment,
        after={"user": user.get_username()},
    )
    return contributor
