"""``weh verify``: check signed WEH documents offline.

``weh verify certificate FILE.json [--keys KEYS.json | --url SITE_URL]``;
``weh verify log --url LOG_URL (--key VKEY | --key-file FILE | --key-url URL) [--since FILE]
[--entry N ...] [--all] [--save FILE] [--witness VKEY ... [--quorum K]]``;
``weh verify entry FILE.json (--key VKEY | …)``.
Each kind of document is one subcommand: a ``<kind>_arguments`` method declaring its arguments and
a ``verify_<kind>`` method doing the work; list the kind in ``KINDS``.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from weh.core import signing
from weh.ledger import client as log_client
from weh.ledger.note import ALG_COSIGNATURE_V1, Verifier
from weh.review import certificate
from weh.review.certificate import CertificateError

KEYS_PATH = "/.well-known/weh-keys.json"
FETCH_TIMEOUT = 10
# Certificates and key lists are a few kilobytes; refuse to read anything much larger.
MAX_BYTES = 1_000_000


class Command(BaseCommand):
    help = "Verify signed WEH documents offline: certificates, the transparency log, log entries."
    # Nothing here reads the database or needs the project checks; work on a bare install.
    requires_system_checks: list[str] = []

    # (subcommand, help): each has <name>_arguments(parser) and verify_<name>(options).
    KINDS = (
        ("certificate", "Verify a signed recognition certificate (a .json file)."),
        ("log", "Verify a transparency log: its checkpoint, tiles, history and chosen entries."),
        ("entry", "Verify a saved log entry with its inclusion proof (a .json file)."),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True)
        for name, help_text in self.KINDS:
            getattr(self, f"{name}_arguments")(sub.add_parser(name, help=help_text))

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"verify_{options['kind']}")(options)

    # --- certificate --------------------------------------------------------------------------

    def certificate_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The certificate document (JSON).")
        add_key_source(parser)

    def verify_certificate(self, options: dict[str, Any]) -> None:
        keys, issuer = load_keys(options)
        path = options["file"]
        try:
            document = certificate.parse_json(read_file(path))
            statement = certificate.verify_certificate(document, keys, issuer=issuer)
        except CertificateError as error:
            raise CommandError(f"{path}: NOT verified. {error}") from None
        # The signature block is known to be well formed once verification passed.
        key = document["signature"]["key_id"]
        subject, standard, level = statement["subject"], statement["standard"], statement["level"]
        self.stdout.write(
            self.style.SUCCESS(f"Certificate {statement['certificate_id']} is authentic.")
        )
        lines = [
            (
                "subject",
                f"{subject['name']} ({subject['kind']}, {subject['country']}, id {subject['id']})",
            ),
            ("standard", f"{standard['title']} ({standard['id']} {standard['version']})"),
            ("tier", statement["tier"] or "-"),
            (
                "level",
                f"{level['label']} ({level['code']}), overall {statement['overall_percent']} %",
            ),
            ("decided", statement["decision_date"]),
            (
                "valid",
                f"{statement['valid_from']} to {statement['valid_until']}"
                f"{validity_note(statement)}",
            ),
            ("issuer", f"{statement['issuer']}, key {key}, issued {statement['issued_at']}"),
            # A signature cannot say whether the recognition was withdrawn since; the registry can.
            ("status", f"see {statement['registry_url']}"),
        ]
        for label, value in lines:
            self.stdout.write(f"  {label + ':':10} {value}")

    # --- log ----------------------------------------------------------------------------------

    def log_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--url",
            required=True,
            help="The log's URL prefix, e.g. https://weh.example.org/log (a bare site address "
            "gets /log appended).",
        )
        add_log_key_source(parser)
        parser.add_argument(
            "--since",
            type=Path,
            metavar="CHECKPOINT_FILE",
            help="A checkpoint saved earlier (--save): prove the log still extends it.",
        )
        parser.add_argument(
            "--entry",
            type=int,
            action="append",
            default=[],
            metavar="N",
            help="Prove that entry N is in the log (repeat for several).",
        )
        parser.add_argument(
            "--all",
            action="store_true",
            help="Fetch every entry and recompute the root from them (a full audit).",
        )
        parser.add_argument(
            "--save",
            type=Path,
            metavar="FILE",
            help="After success, save the verified checkpoint here (for --since next time).",
        )
        parser.add_argument(
            "--witness",
            action="append",
            default=[],
            metavar="VKEY",
            help="A witness's verifier key (type 0x04, cosignature/v1) whose cosignature on the "
            "checkpoint is required (repeat for several; see --quorum).",
        )
        parser.add_argument(
            "--quorum",
            type=int,
            metavar="K",
            help="How many of the --witness keys must have cosigned (default: all of them).",
        )

    def verify_log(self, options: dict[str, Any]) -> None:
        verifier = self.load_log_verifier(options)
        witnesses, quorum = load_witnesses(options)
        try:
            prefix = log_client.log_prefix(options["url"])
            reader = log_client.LogClient(
                prefix,
                verifier,
                origin=options["origin"] or "",
                witnesses=witnesses,
                quorum=quorum,
            )
            current = reader.checkpoint()
            reader.verify_root(current)
            lines = [
                ("size", f"{current.size} entries"),
                ("root", log_client.b64(current.root)),
                ("tiles", "the root recomputed from the tiles matches"),
            ]
            if witnesses:
                names = ", ".join(f"{w.name}+{w.key_id:08x}" for w in current.cosigned_by)
                lines.append(
                    (
                        "witnesses",
                        f"cosigned by {len(current.cosigned_by)} of {len(witnesses)} "
                        f"({quorum} required): {names or 'none'}",
                    )
                )
            if options["since"]:
                path = options["since"]
                old = reader.open(read_file(path), where=f"the saved checkpoint {path}")
                reader.verify_consistency(old, current)
                lines.append(("history", f"extends the saved checkpoint of {old.size} entries"))
            for index in options["entry"]:
                data = reader.entry(index, current)
                [summary] = log_client.summaries([data])
                lines.append((f"entry {index}", f"included: {summary}"))
            if options["all"]:
                count = reader.audit(current)
                lines.append(("audit", f"all {count} entries fetched; they give the signed root"))
        except log_client.VerificationError as error:
            raise CommandError(f"Log NOT verified. {error}") from None
        if options["save"]:
            try:
                options["save"].write_text(current.note, encoding="utf-8")
            except OSError as error:
                raise CommandError(f"Cannot write {options['save']}: {error}") from None
            lines.append(("saved", f"{options['save']} (use it with --since next time)"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Log {reader.origin} verified: checkpoint signed by "
                f"{verifier.name}+{verifier.key_id:08x}."
            )
        )
        for label, value in lines:
            self.stdout.write(f"  {label + ':':10} {value}")

    # --- entry --------------------------------------------------------------------------------

    def entry_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", type=Path, help="The saved answer of GET /api/v1/log/entries/{index}."
        )
        add_log_key_source(parser)

    def verify_entry(self, options: dict[str, Any]) -> None:
        verifier = self.load_log_verifier(options)
        path = options["file"]
        try:
            proved = log_client.verify_entry_document(
                read_file(path), verifier=verifier, origin=options["origin"] or ""
            )
        except log_client.VerificationError as error:
            raise CommandError(f"{path}: NOT verified. {error}") from None
        document = proved.document
        self.stdout.write(
            self.style.SUCCESS(
                f"Entry {proved.index} is in the log {proved.checkpoint.checkpoint.origin}."
            )
        )
        lines = [
            ("type", str(document.get("type"))),
            ("subject", str(document.get("subject"))),
            ("time", str(document.get("timestamp"))),
            ("content", f"SHA-256 {document.get('content_sha256')}"),
            ("summary", str(document.get("summary"))),
            (
                "proof",
                f"included in the checkpoint of {proved.checkpoint.size} entries signed by "
                f"{verifier.name}+{verifier.key_id:08x}",
            ),
        ]
        for label, value in lines:
            self.stdout.write(f"  {label + ':':10} {value}")

    def load_log_verifier(self, options: dict[str, Any]) -> Verifier:
        """The log key from --key, --key-file or (trust on first use) --key-url."""
        try:
            if options["key"]:
                return log_client.parse_vkey(options["key"], where="--key")
            if options["key_file"]:
                path = options["key_file"]
                text = read_file(path).decode("utf-8", errors="replace")
                lines = [line for line in text.splitlines() if line.strip()]
                line = next((x for x in lines if not x.lstrip().startswith("#")), "")
                return log_client.parse_vkey(line, where=str(path))
            url = options["key_url"]
            data = log_client.http_fetcher()(url)
            self.stderr.write(
                f"WARNING: the log key was fetched from {url}. That only trusts whoever answers "
                "there today (trust on first use). Compare it with the key the log's operator "
                "publishes elsewhere, then pass it with --key."
            )
            return log_client.parse_vkey(data.decode("utf-8", errors="replace"), where=url)
        except log_client.VerificationError as error:
            raise CommandError(f"No usable log key: {error}") from None


def load_witnesses(options: dict[str, Any]) -> tuple[tuple[Verifier, ...], int]:
    """The --witness keys and the --quorum of them required (default: all)."""
    witnesses: list[Verifier] = []
    for number, text in enumerate(options["witness"], start=1):
        try:
            witness = log_client.parse_vkey(text, where=f"--witness #{number}")
        except log_client.VerificationError as error:
            raise CommandError(f"No usable witness key: {error}") from None
        if witness.alg != ALG_COSIGNATURE_V1:
            raise CommandError(
                f"--witness #{number} ({witness.name}) is not a witness key: witnesses cosign "
                f"with keys of type 0x04 (cosignature/v1), this one is 0x{witness.alg:02x}."
            )
        if witness in witnesses:
            raise CommandError(f"--witness #{number} ({witness.name}) is given twice.")
        witnesses.append(witness)
    quorum = len(witnesses) if options["quorum"] is None else options["quorum"]
    if not 0 <= quorum <= len(witnesses):
        raise CommandError(
            f"--quorum {quorum} must be between 0 and the number of --witness keys "
            f"({len(witnesses)})."
        )
    return tuple(witnesses), quorum


def add_key_source(parser: CommandParser) -> None:
    """--keys FILE or --url SITE; with neither, this installation's own keys are trusted."""
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--keys", type=Path, help="A saved keys document (weh-keys.json).")
    source.add_argument(
        "--url", help=f"The issuing site, e.g. https://weh.example.org (reads {KEYS_PATH})."
    )


def add_log_key_source(parser: CommandParser) -> None:
    """The log's verifier key: given by the user, never taken silently from the server."""
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--key", metavar="VKEY", help="The log's verifier key string (<name>+<id>+<base64>)."
    )
    source.add_argument("--key-file", type=Path, help="A file holding the verifier key string.")
    source.add_argument(
        "--key-url",
        help="Fetch the key from this URL (e.g. https://weh.example.org/log/key). Convenient but "
        "only trust on first use: prefer --key with a key obtained elsewhere.",
    )
    parser.add_argument("--origin", help="The log's origin (default: the key's name).")


def load_keys(options: dict[str, Any]) -> tuple[dict[str, bytes], str]:
    """(trusted keys by id, the issuer they belong to) from --keys, --url or this installation."""
    if options.get("keys"):
        path = options["keys"]
        document, where = read_file(path), str(path)
    elif options.get("url"):
        document, where = fetch_keys(options["url"])
    else:
        try:
            return signing.certificate_public_keys(), settings.WEH_CERTIFICATE_ISSUER
        except ImproperlyConfigured as error:
            raise CommandError(
                f"This installation has no signing key to verify with ({error}). "
                "Give --keys or --url."
            ) from None
    try:
        parsed = certificate.parse_json(document)
        keys = certificate.parse_keys_document(parsed)
        return keys, certificate.keys_document_issuer(parsed)
    except CertificateError as error:
        raise CommandError(f"{where}: not a usable keys document. {error}") from None


def read_file(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror or error}") from None
    if len(data) > MAX_BYTES:
        raise CommandError(f"{path} is larger than {MAX_BYTES} bytes; not a WEH document")
    return data


def fetch_keys(site_url: str) -> tuple[bytes, str]:
    """The keys document of the site at ``site_url``, and the URL it was read from."""
    parts = urlsplit(site_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise CommandError(
            f"--url must be an http(s) address such as https://weh.example.org, not {site_url!r}"
        )
    url = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}{KEYS_PATH}"
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 - scheme checked above
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:  # noqa: S310 - scheme checked above
            data = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise CommandError(f"{url}: the server answered {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise CommandError(f"{url}: cannot connect ({error.reason})") from None
    except TimeoutError:
        raise CommandError(f"{url}: no answer within {FETCH_TIMEOUT} seconds") from None
    except OSError as error:
        raise CommandError(f"{url}: {error}") from None
    if len(data) > MAX_BYTES:
        raise CommandError(f"{url}: the answer is larger than {MAX_BYTES} bytes")
    return data, url


def validity_note(statement: dict[str, Any]) -> str:
    """' (expired)' or ' (not yet valid)' by today's date in UTC; authentic either way."""
    today = timezone.now().date().isoformat()
    if today > statement["valid_until"]:
        return " (expired)"
    if today < statement["valid_from"]:
        return " (not yet valid)"
    return ""
