"""The log's human pages: one entry, with the data to verify it in the browser or offline.

``/log/entries/<index>/`` shows what the entry says, the signed checkpoint it is proven against
and the log's verifier key; ``ledger/verify.js`` then fetches the proof document
(``/api/v1/log/entries/<index>``) and checks the leaf hash, the inclusion proof and the
checkpoint's signature with Web Crypto. Without JavaScript the page still shows everything and
says how to check it with ``weh verify``.

An entry that no checkpoint covers yet is not public (as for tiles and the proof API): the page
says only that it will be verifiable in a few seconds.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from weh.ledger import keys, selectors
from weh.ledger.models import LogEntry
from weh.ledger.note import Checkpoint as CheckpointBody
from weh.ledger.note import NoteError, parse_note

# Entry types recorded by the funding services: their ``subject:<id>`` is a funded subject.
FINANCE_TYPES = ("commitment.", "disbursement.", "units.", "spending.")


@dataclass(frozen=True)
class RecordLink:
    """A link from an entry to the page of the record it is about."""

    url: str
    label: str
    sign_in: bool = False


def _reverse(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def record_link(kind: str, subject: str, summary: dict[str, Any]) -> RecordLink | None:
    """The page of the record an entry is about, where the site has one."""
    prefix, _sep, ident = subject.partition(":")
    url: str | None = None
    if prefix == "recognition":
        url = _reverse("review:recognition", ident)
        return RecordLink(url, _("The recognition %(serial)s") % {"serial": ident}) if url else None
    if prefix == "batch":
        url = _reverse("finance:batch", ident)
        label = _("The unit batch %(serial)s") % {"serial": ident}
        return RecordLink(url, label, sign_in=True) if url else None
    commitment = summary.get("commitment")
    if prefix == "commitment" and ident.isdigit():
        commitment = int(ident)
    if isinstance(commitment, int) and not isinstance(commitment, bool):
        url = _reverse("finance:commitment", commitment)
        label = _("The funding commitment %(id)s") % {"id": commitment}
        return RecordLink(url, label, sign_in=True) if url else None
    if prefix == "subject" and ident.isdigit() and kind.startswith(FINANCE_TYPES):
        url = _reverse("finance:subject_summary", int(ident))
        return RecordLink(url, _("Funding and outcomes of this subject")) if url else None
    return None


def _summary(entry: LogEntry) -> dict[str, Any]:
    """The entry's public facts, read from its text (empty if the text is not an entry)."""
    try:
        data = json.loads(entry.text)
    except ValueError:
        return {}
    summary = data.get("summary") if isinstance(data, dict) else None
    return summary if isinstance(summary, dict) else {}


def _fact(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@require_safe
def entry(request: HttpRequest, index: int) -> HttpResponse:
    """``/log/entries/<index>/``: the entry, its checkpoint and key, verified by verify.js."""
    found = selectors.get_entry(index)
    if found is None:
        raise Http404(_("There is no log entry %(index)s.") % {"index": index})
    checkpoint = selectors.latest_checkpoint()
    if checkpoint is None or index >= checkpoint.size:
        response = render(
            request,
            "ledger/entry_pending.html",
            {"index": index, "checkpoint_size": checkpoint.size if checkpoint else 0},
        )
        response["Cache-Control"] = "no-cache"
        return response
    try:
        body = CheckpointBody.parse(parse_note(checkpoint.note)[0])
        origin = body.origin
    except NoteError:
        origin = ""  # shown as is; verify.js reports the malformed checkpoint
    summary = _summary(found)
    proof_url = reverse("api:entry_proof", kwargs={"index": index})
    checkpoint_url = reverse("ledger:checkpoint")
    context = {
        "index": index,
        "entry": found,
        "facts": [(name, _fact(value)) for name, value in sorted(summary.items())],
        "record": record_link(found.kind, found.subject, summary),
        "checkpoint": checkpoint,
        "origin": origin,
        "root_b64": base64.b64encode(bytes(checkpoint.root_hash)).decode("ascii"),
        "vkey": keys.log_verifier().vkey,
        "proof_url": proof_url,
        "checkpoint_url": checkpoint_url,
        "key_url": reverse("ledger:key"),
        "proof_absolute": request.build_absolute_uri(proof_url),
        "log_absolute": request.build_absolute_uri(checkpoint_url).removesuffix("/checkpoint"),
    }
    return render(request, "ledger/entry.html", context)
