"""Starting, listing and answering assessments: the workspace, its indicator cards (autosaved
with htmx, plain form posts without JavaScript), evidence, suggestions, contributors, submission."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from weh.accounts import selectors as accounts_selectors
from weh.assessments import selectors, services
from weh.assessments.forms import (
    ContributorForm,
    EvidenceFileForm,
    EvidenceLinkForm,
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
from weh.assessments.views._shared import (
    CARD_FIELDS,
    LIST_PAGE_SIZE,
    NEUTRAL,
    Labels,
    _card_url,
    _forbidden,
    _get_assessment,
    _is_htmx,
    _labels,
    _progress,
)
from weh.core import policy
from weh.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from weh.core.permissions import grants_for
from weh.registry import selectors as registry_selectors
from weh.registry.models import SubjectKind
from weh.review import services as review_services
from weh.standards import selectors as standards_selectors
from weh.standards.models import CrosswalkStrength, StandardVersion, in_language

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
        review_services.submit_assessment(actor=request.user, assessment_id=assessment_id)
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
