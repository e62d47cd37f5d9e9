"""``weh keys``: make and show the Ed25519 keys that sign recognition certificates."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from weh.core import signing
from weh.review import certificate


class Command(BaseCommand):
    help = "Generate a certificate signing key, or show this installation's public keys."
    # Nothing here reads the database or needs the project checks; work on a bare install.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        generate = sub.add_parser(
            "generate",
            help="Print a new private key for WEH_CERTIFICATE_KEY, its key id and public key. "
            "Nothing is written to disk.",
        )
        generate.add_argument(
            "--key-only",
            action="store_true",
            help="Print only the base64 private key (to write it to WEH_CERTIFICATE_KEY_FILE).",
        )
        sub.add_parser("show", help="Print the issuer and the public keys this site publishes.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "generate":
            self.generate(key_only=options["key_only"])
        else:
            self.show()

    def generate(self, *, key_only: bool) -> None:
        text = signing.new_private_key_text()
        if key_only:
            self.stdout.write(text)
            return
        public = certificate.public_key_bytes(
            signing.private_key_from_text(text, source="the new key")
        )
        # Shell/.env syntax: the output can be appended to an environment file as it is.
        self.stdout.write(f"WEH_CERTIFICATE_KEY={text}")
        self.stdout.write(f"# key id: {certificate.key_id(public)}")
        self.stdout.write(f"# public key: {certificate.encode_base64(public)}")
        self.stdout.write(
            "# Keep the private key secret and backed up. When you replace it, add the old "
            "public key to WEH_CERTIFICATE_OLD_PUBLIC_KEYS."
        )

    def show(self) -> None:
        try:
            document = signing.published_keys_document()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"issuer: {document['issuer']}")
        for entry in document["keys"]:
            self.stdout.write(f"{entry['key_id']}  {entry['status']:8}  {entry['public_key']}")
