"""The applicant's assessment pages: start an assessment, answer it (autosaved with htmx, plain form
posts without JavaScript), evidence, suggestions, contributors, submission, results, comparisons,
an organisation's portfolio and evidence downloads.

Views parse the request, call one service or selector, and render. Domain errors become pages:
NotFound → 404, PermissionDenied → 403 with the reason, Conflict and ValidationFailed → messages
beside the fields or on the indicator's card (409 and 422 for htmx, which assessments.js swaps in).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from weh.accounts import selectors as accounts_selectors
from weh.assessments import selectors, services
from weh.assessments.forms import (
    CompareForm,
    ContributorForm,
    EvidenceFileForm,
    EvidenceLinkForm,
    PortfolioFilterForm,
    ResponseForm,
    StartAssessmentForm,
)
from weh.assessments.models import (
    Assessment,
    AssessmentStatus,
    EvidenceKind,
    Response,
    SuggestionState,
)
from weh.core import policy
from weh.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from weh.core.permissions import grants_for
from weh.registry import selectors as registry_selectors
from weh.registry.models import SubjectKind
from weh.standards import selectors as standards_selectors
from weh.standards.definition import StandardDefinition
from weh.standards.models import CrosswalkStrength, StandardVersion, in_language

LIST_PAGE_SIZE = 50
PORTFOLIO_PAGE_SIZE = 100
NEUTRAL = "#607d8b"
# The fields a card shows errors beside; errors for anything else are shown at its top.
CARD_FIELDS = frozenset(
    {"rating", "justification", "not_applicable", "not_applicable_reason", "file", "url"}
)


# ---------------------------------------------------------------------------------------------
# Small helpers


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")


def _forbidden(request: HttpRequest, reason: Any) -> HttpResponse:
    return render(request, "web/forbidden.html", {"reason": str(reason)}, status=403)


def _get_assessment(request: HttpRequest, assessment_id: int) -> Assessment:
    try:
        return selectors.get_assessment(user=request.user, assessment_id=assessment_id)
    except NotFound:
        raise Http404 from None


def _card_url(assessment_id: int, code: str) -> str:
    return reverse("assessments:workspace", args=[assessment_id]) + f"#indicator-{code}"


def _percent(value: Decimal | None, decimals: int) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-decimals))


class Labels:
    """What the codes of one standard version read as, in the active language, with colours."""

    def __init__(self, definition: StandardDefinition) -> None:
        self.definition = definition
        self.decimals = definition.scoring.decimals
        self.ratings = [
            {"code": r.code, "label": in_language(r.label), "colour": r.colour}
            for r in definition.rating_scale.ratings
        ]
        self.rating = {r["code"]: r for r in self.ratings}
        self.bands = {
            b.code: {"code": b.code, "label": in_language(b.label), "colour": b.colour}
            for b in definition.scoring.bands
        }
        self.outcomes = {
            o.code: {
                "code": o.code,
                "label": in_language(o.label),
                "colour": o.colour,
                "description": in_language(o.description),
            }
            for o in definition.outcomes
        }
        self.gates = {g.code: g for g in definition.gates}
        self.criteria = {c.code: c for c in definition.all_criteria()}
        self.components = {c.code: c for c in definition.components or []}
        self.indicators = {i.code: i for i in definition.indicators()}
        count_rating = definition.scoring.count_rating
        self.count_label = self.rating[count_rating]["label"] if count_rating else ""
        threshold = definition.rating_scale.justification_required_above
        codes = [r["code"] for r in self.ratings]
        self.needs_justification = (
            set(codes[codes.index(threshold) + 1 :]) if threshold is not None else set()
        )

    def rating_label(self, code: str | None) -> str:
        if not code:
            return ""
        return self.rating[code]["label"] if code in self.rating else code

    def band(self, code: str | None) -> dict[str, str]:
        if code and code in self.bands:
            return self.bands[code]
        return {"code": "", "label": _("Not applicable"), "colour": NEUTRAL}

    def outcome(self, code: str) -> dict[str, str]:
        return self.outcomes.get(
            code, {"code": code, "label": code or "—", "colour": NEUTRAL, "description": ""}
        )

    def overall(self, percent: Decimal | None, count: int | None, applicable: int) -> str:
        if self.definition.scoring.overall == "count":
            if count is None:
                return "—"
            return _("%(count)d of %(total)d rated %(rating)s") % {
                "count": count,
                "total": applicable,
                "rating": self.count_label,
            }
        value = _percent(percent, self.decimals)
        return "—" if value is None else f"{value} %"


def _labels(assessment: Assessment) -> Labels:
    return Labels(assessment.standard_version.parsed())


def _progress(assessment: Assessment, labels: Labels) -> dict[str, Any]:
    applicable = assessment.applicable
    return {
        "answered": assessment.answered,
        "applicable": applicable,
        "max": applicable or 1,
        "percent": round(100 * assessment.answered / applicable) if applicable else 100,
        "overall": labels.overall(assessment.overall_percent, assessment.overall_count, applicable),
        "outcome": labels.outcome(assessment.outcome),
    }


# ---------------------------------------------------------------------------------------------
# Indicator cards


@dataclass
class CardState:
    """What one request did to a card: posted values and errors to show, or a fresh save."""

    values: dict[str, Any] | None = None
    version: int | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    conflict: dict[str, Any] | None = None
    message: str = ""
    saved: bool = False
    notice: str = ""
    link: dict[str, str] = field(default_factory=dict)
    file_title: str = ""
    evidence_open: bool = False

    @property
    def failed(self) -> bool:
        return bool(self.errors or self.conflict or self.message)


def _suggestion(
    response: Response, labels: Labels, sources: dict[str, StandardVersion]
) -> dict[str, Any] | None:
    if response.suggestion_state != SuggestionState.SUGGESTED or not response.suggestion:
        return None
    suggestion = response.suggestion
    source = sources.get(suggestion.get("from_standard", ""))
    from_rating = suggestion.get("from_rating", "")
    if source is not None:
        source_labels = {r.code: in_language(r.label) for r in source.parsed().rating_scale.ratings}
        from_rating = source_labels.get(from_rating, from_rating)
    strength = suggestion.get("strength", "")
    return {
        "rating": labels.rating_label(suggestion.get("rating")),
        "colour": labels.rating.get(suggestion.get("rating", ""), {}).get("colour", NEUTRAL),
        "strength": CrosswalkStrength(strength).label
        if strength in CrosswalkStrength.values
        else strength,
        "from_standard": source.display_title if source else suggestion.get("from_standard"),
        "from_key": suggestion.get("from_standard", ""),
        "from_indicator": suggestion.get("from_indicator", ""),
        "from_rating": from_rating,
        "from_assessment": suggestion.get("from_assessment"),
        "crosswalk": suggestion.get("crosswalk", ""),
        "justification": suggestion.get("justification", ""),
    }


def _card(
    assessment: Assessment,
    labels: Labels,
    response: Response,
    *,
    editable: bool,
    level: int,
    sources: dict[str, StandardVersion],
    state: CardState | None = None,
) -> dict[str, Any]:
    state = state or CardState()
    code = response.indicator.code
    indicator = labels.indicators[code]
    values = state.values or {
        "rating": response.rating,
        "justification": response.justification,
        "not_applicable": response.not_applicable,
        "not_applicable_reason": response.not_applicable_reason,
    }
    if response.not_applicable:
        answer = {"state": "na", "label": _("Not applicable"), "colour": NEUTRAL}
    elif response.rating:
        answer = {
            "state": "rated",
            "label": labels.rating_label(response.rating),
            "colour": labels.rating.get(response.rating, {}).get("colour", NEUTRAL),
        }
    else:
        answer = {"state": "open", "label": _("Not answered"), "colour": ""}
    evidence = []
    for item in response.evidence.all():
        is_file = item.kind == EvidenceKind.FILE
        evidence.append(
            {
                "id": item.pk,
                "is_file": is_file,
                "title": item.title or (item.original_name if is_file else item.url),
                "name": item.original_name,
                "url": item.url,
                "size": item.size,
            }
        )
    status = state.notice
    if state.saved:
        status = _("Saved at %(time)s") % {
            "time": timezone.localtime(response.updated_at).strftime("%H:%M")
        }
    conflict = None
    if state.conflict is not None:
        current = state.conflict["current"]
        updated_at = current.get("updated_at")
        conflict = {
            "message": state.conflict["message"],
            "who": current.get("updated_by") or "?",
            "when": timezone.localtime(updated_at) if updated_at else None,
            "rating": labels.rating_label(current.get("rating")),
            "not_applicable": current.get("not_applicable"),
            "reason": current.get("not_applicable_reason", ""),
            "justification": current.get("justification", ""),
            "version": current.get("version"),
        }
    return {
        "code": code,
        "level": level,
        "sublevel": level + 1,
        "statement": in_language(indicator.statement),
        "guidance": in_language(indicator.guidance),
        "levels": [
            {
                "label": r["label"],
                "colour": r["colour"],
                "text": in_language(indicator.levels[r["code"]]),
            }
            for r in labels.ratings
            if indicator.levels.get(r["code"])
        ],
        "ratings": [
            {
                **r,
                "checked": r["code"] == values["rating"],
                "needs_justification": r["code"] in labels.needs_justification,
            }
            for r in labels.ratings
        ],
        "allows_na": labels.definition.allows_not_applicable(indicator),
        "values": values,
        "version": state.version if state.version is not None else response.version,
        "answer": answer,
        "updated_by": response.updated_by,
        "updated_at": response.updated_at if response.version else None,
        "evidence": evidence,
        "suggestion": _suggestion(response, labels, sources),
        "editable": editable,
        "errors": state.errors,
        "general_errors": [
            message
            for key, errors in state.errors.items()
            if key not in CARD_FIELDS
            for message in errors
        ],
        "accept": ",".join(sorted(services.EVIDENCE_TYPES)),
        "conflict": conflict,
        "message": state.message,
        "failed": state.failed,
        "status": status,
        "link": state.link,
        "file_title": state.file_title,
        "evidence_open": state.evidence_open
        or bool(state.errors.get("file"))
        or bool(state.errors.get("url")),
    }


def _sources(responses: list[Response]) -> dict[str, StandardVersion]:
    """The standard versions that suggestions come from (one query, only when there are any)."""
    if not any(r.suggestion_state == SuggestionState.SUGGESTED for r in responses):
        return {}
    return {v.key: v for v in standards_selectors.list_standard_versions()}


def _card_level(labels: Labels) -> int:
    return 4 if labels.definition.components else 3


def _card_context(
    request: HttpRequest, assessment: Assessment, code: str, state: CardState
) -> dict[str, Any]:
    labels = _labels(assessment)
    actions = selectors.assessment_actions(user=request.user, assessment=assessment)
    response = selectors.response_of(assessment, code)
    if response is None:
        raise Http404
    card = _card(
        assessment,
        labels,
        response,
        editable=actions["edit"],
        level=_card_level(labels),
        sources=_sources([response]),
        state=state,
    )
    announce = ""
    if card["status"]:
        announce = _("Indicator %(code)s: %(status)s") % {"code": code, "status": card["status"]}
    elif card["failed"]:
        announce = _("Indicator %(code)s was not saved: see the message on its card.") % {
            "code": code
        }
    return {
        "assessment": assessment,
        "card": card,
        "progress": _progress(assessment, labels),
        "announce": announce,
    }


def _card_response(
    request: HttpRequest,
    assessment_id: int,
    code: str,
    state: CardState,
    status: int,
    done: str = "",
) -> HttpResponse:
    """The card after an action: the partial for htmx, else a redirect or the whole workspace."""
    assessment = _get_assessment(request, assessment_id)
    if _is_htmx(request):
        return render(
            request,
            "assessments/_card_response.html",
            _card_context(request, assessment, code, state),
            status=status,
        )
    if status == 200:
        if done:
            messages.success(request, done)
        return redirect(_card_url(assessment.pk, code))
    return _render_workspace(request, assessment, overrides={code: state}, status=status)


def _card_action(
    request: HttpRequest,
    assessment_id: int,
    code: str,
    call: Callable[[], Any],
    *,
    done: str,
    success: CardState,
    on_invalid: Callable[[ValidationFailed], CardState],
    on_conflict: Callable[[Conflict], CardState] | None = None,
) -> HttpResponse:
    try:
        call()
    except NotFound:
        raise Http404 from None
    except PermissionDenied as error:
        return _forbidden(request, error.detail)
    except ValidationFailed as error:
        return _card_response(request, assessment_id, code, on_invalid(error), 422)
    except Conflict as error:
        state = on_conflict(error) if on_conflict else CardState(message=str(error.detail))
        return _card_response(request, assessment_id, code, state, 409)
    return _card_response(request, assessment_id, code, success, 200, done)


# ---------------------------------------------------------------------------------------------
# Starting an assessment and the list


@login_required
@require_http_methods(["GET", "POST"])
def start_assessment(request: HttpRequest, subject_id: int) -> HttpResponse:
    try:
        subject = registry_selectors.get_subject(user=request.user, subject_id=subject_id)
    except NotFound:
        raise Http404 from None
    if not grants_for(request.user).allows(policy.ASSESSMENT_ADD, subject.owner_id):
        return _forbidden(
            request,
            _("Only applicants of %(organisation)s can start assessments of this subject.")
            % {"organisation": subject.owner},
        )
    versions = standards_selectors.list_standard_versions(applies_to=subject.kind)
    form = StartAssessmentForm(request.POST or None, versions=versions)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.start_assessment(
                actor=request.user,
                subject_id=subject.pk,
                standard=form.cleaned_data["standard"],
                title=form.cleaned_data["title"],
            )
        except ValidationFailed as error:
            form.add_service_errors(error.errors)
        except PermissionDenied as error:
            return _forbidden(request, error.detail)
        else:
            messages.success(request, _("The assessment was started. Answers are saved as you go."))
            return redirect("assessments:workspace", assessment_id=assessment.pk)
    chosen = form["standard"].value()
    choices = []
    for version in versions:
        definition = version.parsed()
        choices.append(
            {
                "key": version.key,
                "title": version.display_title,
                "version": version.version,
                "publisher": in_language(definition.publisher),
                "description": in_language(definition.description),
                "components": len(definition.components or []),
                "criteria": len(definition.all_criteria()),
                "indicators": len(definition.indicators()),
                "checked": chosen == version.key,
            }
        )
    earlier = selectors.list_assessments(user=request.user, subject_id=subject.pk)
    return render(
        request,
        "assessments/start.html",
        {
            "subject": subject,
            "form": form,
            "choices": choices,
            "kind": SubjectKind(subject.kind).label,
            "earlier": [_list_row(a) for a in earlier[:20]],
        },
    )


def _list_row(assessment: Assessment) -> dict[str, Any]:
    labels = _labels(assessment)
    return {
        "assessment": assessment,
        "progress": _progress(assessment, labels),
    }


@login_required
@require_GET
def assessment_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in AssessmentStatus.values:
        status = ""
    qs = selectors.list_assessments(user=request.user, status=status or None)
    page = Paginator(qs, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    grants = grants_for(request.user)
    portfolios = [
        organisation
        for organisation in accounts_selectors.my_organisations(user=request.user)
        if grants.allows(policy.ASSESSMENT_VIEW, organisation.pk)
    ]
    return render(
        request,
        "assessments/assessment_list.html",
        {
            "page": page,
            "rows": [_list_row(a) for a in page],
            "status": status,
            "status_query": urlencode({"status": status}) if status else "",
            "statuses": AssessmentStatus.choices,
            "portfolios": portfolios,
            "assessable": _assessable_subjects(request),
        },
    )


def _assessable_subjects(request: HttpRequest) -> list[Any]:
    """The subjects the user may start an assessment of, for the list page's shortcut."""
    grants = grants_for(request.user)
    subjects = registry_selectors.list_subjects(user=request.user)
    if not grants.hub_wide:
        owners = grants.organisations_granting(policy.ASSESSMENT_ADD)
        if not owners:
            return []
        subjects = subjects.filter(owner_id__in=sorted(owners))
    return list(subjects[:500])


@login_required
@require_GET
def start_pick(request: HttpRequest) -> HttpResponse:
    """The list page's subject picker (a plain GET form) leads to that subject's start page."""
    subject = request.GET.get("subject", "")
    if not subject.isdigit():
        return redirect("assessments:list")
    return redirect("assessments:start", subject_id=int(subject))


# ---------------------------------------------------------------------------------------------
# The workspace


def _sections(labels: Labels, cards: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Components (three-level standards) holding criteria holding cards; one unnamed group for
    two-level standards."""
    definition = labels.definition

    def criterion(c: Any, level: int) -> dict[str, Any]:
        return {
            "code": c.code,
            "title": in_language(c.title),
            "description": in_language(c.description),
            "level": level,
            "cards": [cards[i.code] for i in c.indicators if i.code in cards],
        }

    if definition.components:
        return [
            {
                "code": k.code,
                "title": in_language(k.title),
                "description": in_language(k.description),
                "level": 2,
                "criteria": [criterion(c, 3) for c in k.criteria],
            }
            for k in definition.components
        ]
    return [{"code": "", "criteria": [criterion(c, 2) for c in definition.all_criteria()]}]


def _render_workspace(
    request: HttpRequest,
    assessment: Assessment,
    *,
    overrides: dict[str, CardState] | None = None,
    status: int = 200,
    submit_refused: str = "",
    contributor_form: ContributorForm | None = None,
) -> HttpResponse:
    labels = _labels(assessment)
    actions = selectors.assessment_actions(user=request.user, assessment=assessment)
    responses = selectors.responses_of(assessment)
    sources = _sources(responses)
    level = _card_level(labels)
    overrides = overrides or {}
    cards = {
        r.indicator.code: _card(
            assessment,
            labels,
            r,
            editable=actions["edit"],
            level=level,
            sources=sources,
            state=overrides.get(r.indicator.code),
        )
        for r in responses
    }
    open_codes = [r.indicator.code for r in responses if not r.rating and not r.not_applicable]
    if actions["edit"]:
        read_only = ""
    elif assessment.status not in (AssessmentStatus.DRAFT, AssessmentStatus.RETURNED):
        read_only = _("This assessment is %(status)s: its answers can no longer change.") % {
            "status": assessment.get_status_display().lower()
        }
    else:
        read_only = _("You can read this assessment but not change it.")
    # Contributors have no selector yet; the assessment was already authorised above.
    contributors = list(selectors.contributors_of(assessment))
    return render(
        request,
        "assessments/workspace.html",
        {
            "assessment": assessment,
            "standard": assessment.standard_version,
            "publisher": in_language(labels.definition.publisher),
            "actions": actions,
            "progress": _progress(assessment, labels),
            "sections": _sections(labels, cards),
            "three_levels": bool(labels.definition.components),
            "open_codes": open_codes,
            "submit_refused": submit_refused,
            "read_only": read_only,
            "contributors": contributors,
            "contributor_form": contributor_form or ContributorForm(),
        },
        status=status,
    )


@require_GET
def workspace(request: HttpRequest, assessment_id: int) -> HttpResponse:
    return _render_workspace(request, _get_assessment(request, assessment_id))


@require_http_methods(["GET", "POST"])
def indicator(request: HttpRequest, assessment_id: int, code: str) -> HttpResponse:
    """GET: the card (htmx) or the workspace at the card. POST: save the answer."""
    if request.method == "GET":
        if not _is_htmx(request):
            _get_assessment(request, assessment_id)
            return redirect(_card_url(assessment_id, code))
        return _card_response(request, assessment_id, code, CardState(), 200)
    form = ResponseForm(request.POST)
    if not form.is_valid():
        errors = {key: list(value) for key, value in form.errors.items() if key != "version"}
        if "version" in form.errors:
            errors[""] = [_("This form is out of date. Reload the page and try again.")]
        return _card_response(
            request, assessment_id, code, CardState(values=form.posted(), errors=errors), 422
        )
    version = form.cleaned_data["version"]

    def save() -> None:
        services.save_response(
            actor=request.user,
            assessment_id=assessment_id,
            indicator=code,
            values=form.values(),
            expected_version=version,
        )

    def on_conflict(error: Conflict) -> CardState:
        current = error.extra.get("current")
        if isinstance(error, services.ResponseConflict) and isinstance(current, dict):
            return CardState(
                values=form.posted(),
                conflict={"message": str(error.detail), "current": current},
            )
        return CardState(values=form.posted(), version=version, message=str(error.detail))

    return _card_action(
        request,
        assessment_id,
        code,
        save,
        done=_("Indicator %(code)s was saved.") % {"code": code},
        success=CardState(saved=True),
        # Keep the version the person started from: a later save must still see a conflict.
        on_invalid=lambda error: CardState(
            values=form.posted(), version=version, errors=error.errors
        ),
        on_conflict=on_conflict,
    )


@require_POST
def suggestion(request: HttpRequest, assessment_id: int, code: str, decision: str) -> HttpResponse:
    if decision == "confirm":
        service, done = (
            services.confirm_suggestion,
            _("The suggested rating of %(code)s was taken over.") % {"code": code},
        )
    elif decision == "dismiss":
        service, done = (
            services.dismiss_suggestion,
            _("The suggestion for %(code)s was dismissed.") % {"code": code},
        )
    else:
        raise Http404
    return _card_action(
        request,
        assessment_id,
        code,
        lambda: service(actor=request.user, assessment_id=assessment_id, indicator=code),
        done=done,
        success=CardState(notice=done),
        on_invalid=lambda error: CardState(errors=error.errors),
    )


@require_POST
def evidence_file(request: HttpRequest, assessment_id: int, code: str) -> HttpResponse:
    form = EvidenceFileForm(request.POST, request.FILES)
    title = request.POST.get("title", "")
    if not form.is_valid():
        errors = {key: list(value) for key, value in form.errors.items()}
        state = CardState(errors=errors, file_title=title, evidence_open=True)
        return _card_response(request, assessment_id, code, state, 422)
    done = _("The file was added to %(code)s.") % {"code": code}
    return _card_action(
        request,
        assessment_id,
        code,
        lambda: services.add_evidence_file(
            actor=request.user,
            assessment_id=assessment_id,
            indicator=code,
            upload=form.cleaned_data["file"],
            title=form.cleaned_data["title"],
        ),
        done=done,
        success=CardState(notice=done),
        on_invalid=lambda error: CardState(
            errors=error.errors, file_title=title, evidence_open=True
        ),
    )


@require_POST
def evidence_link(request: HttpRequest, assessment_id: int, code: str) -> HttpResponse:
    form = EvidenceLinkForm(request.POST)
    posted = {"url": request.POST.get("url", ""), "title": request.POST.get("title", "")}
    if not form.is_valid():
        errors = {key: list(value) for key, value in form.errors.items()}
        state = CardState(errors=errors, link=posted, evidence_open=True)
        return _card_response(request, assessment_id, code, state, 422)
    done = _("The link was added to %(code)s.") % {"code": code}
    return _card_action(
        request,
        assessment_id,
        code,
        lambda: services.add_evidence_link(
            actor=request.user,
            assessment_id=assessment_id,
            indicator=code,
            url=form.cleaned_data["url"],
            title=form.cleaned_data["title"],
        ),
        done=done,
        success=CardState(notice=done),
        on_invalid=lambda error: CardState(errors=error.errors, link=posted, evidence_open=True),
    )


@require_POST
def evidence_remove(request: HttpRequest, assessment_id: int, evidence_id: int) -> HttpResponse:
    try:
        evidence = selectors.evidence_for_download(user=request.user, evidence_id=evidence_id)
    except NotFound:
        raise Http404 from None
    if evidence.response.assessment_id != assessment_id:
        raise Http404
    code = evidence.response.indicator.code
    done = _("The evidence was removed from %(code)s.") % {"code": code}
    return _card_action(
        request,
        assessment_id,
        code,
        lambda: services.remove_evidence(actor=request.user, evidence_id=evidence_id),
        done=done,
        success=CardState(notice=done),
        on_invalid=lambda error: CardState(errors=error.errors),
    )


@require_GET
def indicator_history(request: HttpRequest, assessment_id: int, code: str) -> HttpResponse:
    assessment = _get_assessment(request, assessment_id)
    labels = _labels(assessment)
    if code not in labels.indicators:
        raise Http404
    revisions = selectors.response_history(
        user=request.user, assessment_id=assessment.pk, indicator=code
    )
    rows = [
        {
            "revision": revision,
            "rating": labels.rating_label(revision.rating),
            "colour": labels.rating.get(revision.rating, {}).get("colour", ""),
        }
        for revision in revisions
    ]
    return render(
        request,
        "assessments/history.html",
        {
            "assessment": assessment,
            "code": code,
            "statement": in_language(labels.indicators[code].statement),
            "rows": rows,
        },
    )


@require_POST
def contributor_add(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _get_assessment(request, assessment_id)
    form = ContributorForm(request.POST)
    if form.is_valid():
        username = form.cleaned_data["username"].strip()
        person = accounts_selectors.find_active_user(username)
        if person is None:
            form.add_error("username", _("No active user has this username."))
        else:
            try:
                services.add_contributor(
                    actor=request.user, assessment_id=assessment.pk, user_id=person.pk
                )
            except NotFound:
                raise Http404 from None
            except PermissionDenied as error:
                return _forbidden(request, error.detail)
            except ValidationFailed as error:
                for messages_ in error.errors.values():
                    for message in messages_:
                        form.add_error("username", message)
            except Conflict as error:
                form.add_error("username", str(error.detail))
            else:
                messages.success(
                    request,
                    _("%(name)s can now contribute to this assessment.")
                    % {"name": person.get_username()},
                )
                return redirect(
                    reverse("assessments:workspace", args=[assessment.pk]) + "#contributors"
                )
    return _render_workspace(request, assessment, status=422, contributor_form=form)


@require_POST
def submit(request: HttpRequest, assessment_id: int) -> HttpResponse:
    try:
        services.submit_assessment(actor=request.user, assessment_id=assessment_id)
    except NotFound:
        raise Http404 from None
    except PermissionDenied as error:
        return _forbidden(request, error.detail)
    except ValidationFailed as error:
        message = " ".join(m for messages_ in error.errors.values() for m in messages_)
        return _render_workspace(
            request,
            _get_assessment(request, assessment_id),
            status=422,
            submit_refused=message or str(error.detail),
        )
    except Conflict as error:
        messages.error(request, str(error.detail))
        return redirect("assessments:workspace", assessment_id=assessment_id)
    messages.success(request, _("The assessment was submitted for review."))
    return redirect("assessments:workspace", assessment_id=assessment_id)


# ---------------------------------------------------------------------------------------------
# Results, exports and comparisons

# Charts: each criterion's label on its own line, its bar below it, scaled 0 to 100 on the bar
# width, with the value at the bar's end and a 0-25-50-75-100 axis at the bottom.
CHART_WIDTH = 640
CHART_BAR_X = 10
CHART_BAR_WIDTH = 540
CHART_TOP = 4
CHART_ROW = 42
CHART_BAR_HEIGHT = 16
CHART_LABEL_CHARS = 80
CHART_TICKS = (0, 25, 50, 75, 100)


def _x(percent: Decimal | None) -> float:
    if percent is None:
        return 0.0
    return float(min(max(percent, Decimal(0)), Decimal(100))) * CHART_BAR_WIDTH / 100


def _axis(top: int) -> dict[str, Any]:
    return {
        "y": top,
        "label_y": top + 16,
        "ticks": [
            {"x": f"{CHART_BAR_X + _x(Decimal(t)):.1f}", "label": str(t)} for t in CHART_TICKS
        ],
        "x1": CHART_BAR_X,
        "x2": CHART_BAR_X + CHART_BAR_WIDTH,
    }


def _chart_label(row: dict[str, Any]) -> str:
    return Truncator(f"{row['code']} {row['title']}").chars(CHART_LABEL_CHARS)


def _bar_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    bars = []
    for index, row in enumerate(rows):
        y = CHART_TOP + index * CHART_ROW
        width = _x(row["percent"])
        bars.append(
            {
                **row,
                "label_y": y + 13,
                "y": y + 18,
                "value_y": y + 18 + CHART_BAR_HEIGHT - 4,
                "width": f"{width:.1f}",
                "value_x": f"{CHART_BAR_X + width + 6:.1f}",
                "short": _chart_label(row),
            }
        )
    bottom = CHART_TOP + len(rows) * CHART_ROW + 4
    return {
        "bars": bars,
        "axis": _axis(bottom),
        "grid_top": CHART_TOP + 16,
        "grid_bottom": bottom,
        "height": bottom + 22,
        "width": CHART_WIDTH,
        "bar_x": CHART_BAR_X,
        "bar_height": CHART_BAR_HEIGHT,
    }


def _percent_text(value: Decimal | None) -> str:
    return _("n/a") if value is None else f"{value} %"


@require_GET
def results(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _get_assessment(request, assessment_id)
    labels = _labels(assessment)
    result = selectors.score_of(assessment)
    plan = selectors.action_plan(assessment, result)
    criteria = []
    for group in result.criteria:
        criterion = labels.criteria[group.code]
        percent = group.percent.value if group.percent is not None else None
        band = labels.band(group.band)
        criteria.append(
            {
                "code": group.code,
                "title": in_language(criterion.title),
                "percent": percent,
                "value": _percent_text(percent),
                "band": band["label"],
                "colour": band["colour"],
            }
        )
    components = []
    for group in result.components:
        percent = group.percent.value if group.percent is not None else None
        band = labels.band(group.band)
        components.append(
            {
                "code": group.code,
                "title": in_language(labels.components[group.code].title),
                "value": _percent_text(percent),
                "band": band["label"],
                "colour": band["colour"],
            }
        )
    gates = []
    for gate in result.gates:
        definition = labels.gates[gate.code]
        if definition.every == "criterion":
            failing = [
                f"{code} {in_language(labels.criteria[code].title)}" for code in gate.failing
            ]
        else:
            failing = list(gate.failing)
        gates.append(
            {
                "code": gate.code,
                "label": in_language(definition.label),
                "passed": gate.passed,
                "failing": failing,
            }
        )
    is_count = labels.definition.scoring.overall == "count"
    if result.overall is not None:
        overall = f"{result.overall.value} %"
    else:
        overall = labels.overall(None, result.overall_count, result.applicable)
    comparable = list(selectors.comparable_assessments(user=request.user, assessment=assessment))
    return render(
        request,
        "assessments/results.html",
        {
            "assessment": assessment,
            "standard": assessment.standard_version,
            "result": result,
            "overall": overall,
            "overall_band": labels.band(result.overall_band) if result.overall_band else None,
            "outcome": labels.outcome(result.outcome),
            "is_count": is_count,
            "criteria": criteria,
            "chart": _bar_chart(criteria),
            "components": components,
            "gates": gates,
            "plan": [{"row": row, "blocks": ", ".join(row.blocks)} for row in plan],
            "comparable": comparable,
            "compare_form": CompareForm(),
        },
    )


def _exports() -> Any:
    # Imported here: the export module is optional at import time of the views.
    from weh.assessments import exports

    return exports


def _download_name(prefix: str, assessment: Assessment, extension: str) -> str:
    stamp = timezone.localdate().isoformat()
    return f"{prefix}-{assessment.pk}-{assessment.standard_version.standard_id}-{stamp}.{extension}"


@require_GET
def action_plan_csv(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _get_assessment(request, assessment_id)
    rows = selectors.action_plan(assessment)
    body = _exports().action_plan_csv(assessment, rows)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    name = _download_name("action-plan", assessment, "csv")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def action_plan_pdf(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _get_assessment(request, assessment_id)
    result = selectors.score_of(assessment)
    rows = selectors.action_plan(assessment, result)
    body = _exports().action_plan_pdf(assessment, result, rows)
    response = HttpResponse(body, content_type="application/pdf")
    name = _download_name("action-plan", assessment, "pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def compare_pick(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _get_assessment(request, assessment_id)
    form = CompareForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("Choose an assessment to compare with."))
        return redirect("assessments:results", assessment_id=assessment.pk)
    return redirect(
        "assessments:compare", assessment_id=assessment.pk, other_id=form.cleaned_data["other"]
    )


COMPARE_ROW = 54
COMPARE_BAR = 14
EARLIER_COLOUR = "#90a4ae"
LATER_COLOUR = "#1b5e20"


def _paired_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    pairs = []
    top = CHART_TOP + 24  # room for the legend
    for index, row in enumerate(rows):
        y = top + index * COMPARE_ROW
        before, after = _x(row["before"]), _x(row["after"])
        pairs.append(
            {
                **row,
                "label_y": y + 13,
                "y1": y + 18,
                "y2": y + 18 + COMPARE_BAR + 2,
                "value1_y": y + 18 + COMPARE_BAR - 3,
                "value2_y": y + 18 + 2 * COMPARE_BAR - 1,
                "w1": f"{before:.1f}",
                "w2": f"{after:.1f}",
                "x1": f"{CHART_BAR_X + before + 6:.1f}",
                "x2": f"{CHART_BAR_X + after + 6:.1f}",
                "short": _chart_label(row),
            }
        )
    bottom = top + len(rows) * COMPARE_ROW + 4
    return {
        "pairs": pairs,
        "axis": _axis(bottom),
        "grid_top": top + 16,
        "grid_bottom": bottom,
        "height": bottom + 22,
        "width": CHART_WIDTH,
        "bar_x": CHART_BAR_X,
        "bar_height": COMPARE_BAR,
        "earlier_colour": EARLIER_COLOUR,
        "later_colour": LATER_COLOUR,
        "legend_later_x": CHART_BAR_X + 200,
    }


def _direction(delta: Decimal | None) -> str:
    if delta is None:
        return ""
    return "up" if delta > 0 else "down" if delta < 0 else "same"


def _band_label(labels: Labels, code: str | None) -> str:
    return labels.band(code)["label"] if code else "—"


@require_GET
def compare(request: HttpRequest, assessment_id: int, other_id: int) -> HttpResponse:
    assessment = _get_assessment(request, assessment_id)
    other = (
        selectors.comparable_assessments(user=request.user, assessment=assessment)
        .filter(pk=other_id)
        .first()
    )
    if other is None:
        raise Http404
    earlier, later = sorted((assessment, other), key=lambda a: (a.created_at, a.pk))
    labels = _labels(later)
    rows = []
    for change in selectors.compare(earlier=earlier, later=later):
        delta = change.change
        rows.append(
            {
                "code": change.code,
                "title": change.title,
                "before": change.before,
                "after": change.after,
                "before_text": _percent_text(change.before),
                "after_text": _percent_text(change.after),
                "change": "—" if delta is None else (f"{delta:+}" if delta else f"{delta}"),
                "direction": _direction(delta),
                "band_before": _band_label(labels, change.band_before),
                "band_after": _band_label(labels, change.band_after),
            }
        )
    overall = [
        {
            "assessment": a,
            "overall": _labels(a).overall(a.overall_percent, a.overall_count, a.applicable),
            "outcome": _labels(a).outcome(a.outcome),
        }
        for a in (earlier, later)
    ]
    return render(
        request,
        "assessments/compare.html",
        {
            "assessment": assessment,
            "earlier": earlier,
            "later": later,
            "rows": rows,
            "overall": overall,
            "chart": _paired_chart(rows),
        },
    )


# ---------------------------------------------------------------------------------------------
# Portfolio


def _portfolio_rows(
    request: HttpRequest, organisation_id: int
) -> tuple[Any, PortfolioFilterForm, list[dict[str, Any]], list[StandardVersion]]:
    try:
        organisation = accounts_selectors.get_organisation(
            user=request.user, organisation_id=organisation_id
        )
    except NotFound:
        raise Http404 from None
    versions = standards_selectors.list_standard_versions()
    form = PortfolioFilterForm(request.GET or None, versions=versions)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.portfolio(
        user=request.user,
        owner_id=organisation.pk,
        standard_id=filters.get("standard") or None,
        status=filters.get("status") or None,
        outcome=filters.get("outcome") or None,
        country=filters.get("country") or None,
        sort=filters.get("sort") or "subject",
    )
    return organisation, form, rows, versions


SORTABLE = (("subject", "subject"), ("score", "score"), ("updated", "updated"))


@require_GET
def portfolio(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation, form, rows, versions = _portfolio_rows(request, organisation_id)
    by_pk = {v.pk: v for v in versions}
    labels_by_version = {v.pk: Labels(v.parsed()) for v in versions}
    statuses = dict(AssessmentStatus.choices)
    page = Paginator(rows, PORTFOLIO_PAGE_SIZE).get_page(request.GET.get("page"))
    table = []
    for row in page:
        labels = labels_by_version[row["standard_version_id"]]
        table.append(
            {
                "row": row,
                "standard": by_pk[row["standard_version_id"]].display_title,
                "status": statuses.get(row["status"], row["status"]),
                "overall": labels.overall(
                    row["overall_percent"], row["overall_count"], row["applicable"]
                ),
                "outcome": labels.outcome(row["outcome"]),
            }
        )
    summary = selectors.portfolio_summary(rows)
    outcome_labels: dict[str, str] = {}
    for labels in labels_by_version.values():
        for code, outcome in labels.outcomes.items():
            outcome_labels.setdefault(code, outcome["label"])
    summary_outcomes = [
        {"code": code, "label": outcome_labels.get(code, code or "—"), "count": count}
        for code, count in summary["outcomes"].items()
    ]
    sort = (form.cleaned_data.get("sort") if form.is_bound and form.is_valid() else "") or "subject"
    query = request.GET.copy()
    query.pop("page", None)
    base = query.copy()
    base.pop("sort", None)
    sort_links = {}
    for key, _name in SORTABLE:
        current = sort.lstrip("-") == key
        descending = sort.startswith("-")
        target = f"-{key}" if current and not descending else key
        link = base.copy()
        link["sort"] = target
        sort_links[key] = {
            "url": "?" + link.urlencode(),
            "aria": ("descending" if descending else "ascending") if current else "",
        }
    may_see = grants_for(request.user).allows(policy.ASSESSMENT_VIEW, organisation.pk)
    return render(
        request,
        "assessments/portfolio.html",
        {
            "organisation": organisation,
            "form": form,
            "page": page,
            "table": table,
            "summary": summary,
            "summary_outcomes": summary_outcomes,
            "sort_links": sort_links,
            "query": query.urlencode(),
            "csv_query": query.urlencode(),
            "may_see": may_see,
        },
    )


@require_GET
def portfolio_csv(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation, _form, rows, _versions = _portfolio_rows(request, organisation_id)
    response = HttpResponse(_exports().portfolio_csv(rows), content_type="text/csv; charset=utf-8")
    name = f"portfolio-{organisation.pk}-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# ---------------------------------------------------------------------------------------------
# Evidence files


@require_GET
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    """An evidence file, for those who may see its assessment; never from MEDIA_URL."""
    try:
        evidence = selectors.evidence_for_download(user=request.user, evidence_id=evidence_id)
    except NotFound:
        raise Http404 from None
    if evidence.kind != EvidenceKind.FILE or not evidence.file:
        raise Http404
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name or f"evidence-{evidence.pk}",
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Should a browser ever render it, the file runs nothing and reaches nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def evidence_not_served(request: HttpRequest, rest: str) -> HttpResponse:
    """Evidence files live under MEDIA_ROOT but are never served from MEDIA_URL."""
    raise Http404
