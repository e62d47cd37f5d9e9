"""``weh log``: run the transparency log by hand or from cron.

``weh log publish`` signs a checkpoint if the log grew (run it every minute from cron when
``WEH_LOG_CHECKPOINT_INTERVAL`` batches checkpoints, or after a failed task);
``weh log status`` shows sizes and witnesses; ``weh log key`` prints the verifier key to give
to verifiers;
``weh log generate-key`` prints a new signing key for ``WEH_LOG_KEY``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from weh.ledger import keys, selectors, services, witness
from weh.ledger.models import Checkpoint, LogWitness, WitnessState
from weh.ledger.note import NoteError, Signature, Signer


class Command(BaseCommand):
    help = "Transparency log: `weh log publish | status | key | generate-key`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("publish", help="sign a checkpoint now if the log grew")
        sub.add_parser("status", help="entries, latest checkpoint, origin and key")
        sub.add_parser("key", help="print the verifier key of this log (public)")
        generate = sub.add_parser("generate-key", help="print a new signing key (secret)")
        generate.add_argument(
            "--origin", help=f"the log's origin (default WEH_LOG_ORIGIN: {settings.WEH_LOG_ORIGIN})"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        try:
            getattr(self, f"do_{action}")(options)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None

    def do_publish(self, options: dict[str, Any]) -> None:
        try:
            checkpoint = services.publish_checkpoint()
        except services.LogIntegrityError as error:
            raise CommandError(f"Checkpoint NOT signed: {error}") from None
        if checkpoint is None:
            latest = selectors.latest_checkpoint()
            size = latest.size if latest else 0
            self.stdout.write(f"Nothing to sign: no new entries since checkpoint {size}.")
            return
        self.stdout.write(self.style.SUCCESS(f"Signed checkpoint {checkpoint.size}."))

    def do_status(self, options: dict[str, Any]) -> None:
        latest = selectors.latest_checkpoint()
        size = selectors.log_size()
        published = latest.size if latest else 0
        lines = [
            ("origin", settings.WEH_LOG_ORIGIN),
            ("entries", str(size)),
            (
                "checkpoint",
                f"{published} entries, signed {latest.created_at:%Y-%m-%d %H:%M:%S %Z}"
                if latest
                else "none yet",
            ),
            ("not yet signed", str(size - published)),
            ("key", keys.log_verifier().vkey),
        ]
        lines += witness_lines(latest)
        for label, value in lines:
            self.stdout.write(f"{label + ':':18} {value}")

    def do_key(self, options: dict[str, Any]) -> None:
        self.stdout.write(keys.log_verifier().vkey)

    def do_generate_key(self, options: dict[str, Any]) -> None:
        origin = options["origin"] or settings.WEH_LOG_ORIGIN
        signer = Signer.generate(origin)
        self.stdout.write(f"WEH_LOG_KEY={signer.skey}")
        self.stdout.write(f"# verifier key (public, give it to verifiers): {signer.vkey}")
        self.stdout.write(
            "# Keep the signing key secret and backed up for the life of the log; set "
            "WEH_LOG_ORIGIN to the same origin."
        )


def witness_lines(latest: Checkpoint | None) -> list[tuple[str, str]]:
    """What ``status`` says of witnesses: those this log asks, and the logs this hub witnesses."""
    lines: list[tuple[str, str]] = []
    asked = witness.log_witnesses()
    cosigned = set()
    if latest is not None:
        for line in latest.cosignatures.splitlines():
            try:
                signature = Signature.parse_line(line)
            except NoteError:
                continue
            cosigned.add((signature.name, signature.key_id))
    last = dict(LogWitness.objects.values_list("vkey", "size"))
    for each in asked:
        key = each.verifier
        on_latest = "yes" if (key.name, key.key_id) in cosigned else "not yet"
        lines.append(
            (
                "witness",
                f"{key.name}+{key.key_id:08x} at {each.url}: last cosigned "
                f"{last.get(key.vkey, 0)} entries; on the latest checkpoint: {on_latest}",
            )
        )
    if not asked:
        lines.append(("witnesses", "none configured (WEH_LOG_WITNESSES)"))
    for state in WitnessState.objects.order_by("origin"):
        lines.append(
            (
                "witnessing",
                f"{state.origin}: {state.size} entries, last cosigned "
                f"{state.updated_at:%Y-%m-%d %H:%M:%S %Z}",
            )
        )
    return lines
