"""C2SP signed notes, checkpoints and cosignatures, against published vectors."""

from __future__ import annotations

import base64
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weh.ledger.note import (
    ALG_COSIGNATURE_V1,
    ALG_ED25519,
    EM_DASH,
    Checkpoint,
    NoteError,
    Signature,
    Signer,
    Verifier,
    cosign_checkpoint,
    cosignature_message,
    cosignature_timestamp,
    format_note,
    key_id,
    open_checkpoint,
    open_note,
    parse_note,
    sign_checkpoint,
    sign_note,
    validate_name,
)

# golang.org/x/mod/sumdb/note package documentation and tests.
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
PETER_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    f"{EM_DASH} PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    f"{EM_DASH} EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
)
PETER_NOTE = PETER_TEXT + "\n" + PETER_SIG

# c2sp.org/signed-note example key and note.
FOO_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
FOO_NOTE = (
    "This is an example message.\n\n"
    f"{EM_DASH} example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)

# A checkpoint of the staging CT log arche2025h1 as published with witness cosignatures: an
# RFC 6962 tree-head signature (type 0x05, unknown here), the log's Ed25519 note signature, and
# four cosignature/v1 signatures, one of them by the witness remora.n621.de.
ARCHE_ORIGIN = "arche2025h1.staging.ct.transparency.dev"
ARCHE_VKEY = (
    "arche2025h1.staging.ct.transparency.dev+ba2f06c0+AU0vHmlGCS/PdN8b2OaGmKprLI8HKM+dJ472xgFYh15f"
)
REMORA_VKEY = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
ARCHE_CHECKPOINT = f"""arche2025h1.staging.ct.transparency.dev
1432088532
U7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=

{EM_DASH} arche2025h1.staging.ct.transparency.dev zTM8sQAAAZ5W0WdjBAMARjBEAiBjW5IQf9pvsYLfQFX6hoGREPMHbdQ3urbllzalApkptQIgIpwtEroeW2BXaHAI4kJXFbon5Ch9MNL5zRNZ55lvGt0=
{EM_DASH} arche2025h1.staging.ct.transparency.dev ui8GwCF1+kWqZrxGdhj4aX3gcw7XUlXQQabg/27lefwhUkzbC3NygNI75MdhL1bfTW9g8Ei59RA23oHP7Ry1k3ZFWwQ=
{EM_DASH} transparency.dev/DEV:witness-little-garden 2AQqhwAAAABqEiEgzgFIqqhbUoDwjMWE6UP8nd8/KYTzwZ2rhIgcqoXHAwVkjZr4AscylP3v7sEodkRAErumC2q44vdgJY096st5BQ==
{EM_DASH} witness1.smartit.nu/witness1 pIyCDwAAAABqEiEghIp82KWebrw7/oHQwlTAm3g2RKS4+eebl8eO0WH+/iEcxZ75W3u5hNI7TOQtmJbqmNWVuE0tgh0XwzdZsDsUAQ==
{EM_DASH} remora.n621.de 2net5wAAAABqEiEgPlfF3V06o0Y+fHM+J5J9s27wgxxcOVSpZ/2g/KSiXCg9DEZI+aVCIobWX9sXTynk5XeU/zZ0WBxtqB0DrAWfBw==
{EM_DASH} witness.stagemole.eu Z/euoAAAAABqEiEgw0i+7g2ENfDAWHmtRzCfKTHSDwYDJA2NmKeGi9Y8FtEyOUvVr+AJmIY/2TUFucgKi7lI7cUiOvKFYe/TmN9DAg==
"""  # noqa: E501 - published signature lines

# c2sp.org/tlog-cosignature example.
SOFA_BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
SOFA_COSIGNATURE = (
    f"{EM_DASH} witness.example.com/w1 "
    "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n"
)

VKEY_RE = re.compile(r"[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}")  # 33 bytes: no padding
ROOT = bytes(range(32))


# --- published vectors ----------------------------------------------------------------------


def test_go_note_vector_opens() -> None:
    peter = Verifier.from_vkey(PETER_VKEY)
    assert (peter.name, peter.key_id, peter.alg) == ("PeterNeumann", 0xC74F20A3, ALG_ED25519)
    assert peter.vkey == PETER_VKEY
    assert key_id("PeterNeumann", ALG_ED25519, peter.public_key) == 0xC74F20A3
    note = open_note(PETER_NOTE, [peter])
    assert note.text == PETER_TEXT
    assert [(s.name, s.key_id) for s in note.signatures] == [("PeterNeumann", 0xC74F20A3)]
    assert note.unverified == ()
    assert open_note(PETER_NOTE.encode(), [peter]).text == PETER_TEXT


def test_go_signer_key_reproduces_the_published_signature() -> None:
    signer = Signer.from_skey(PETER_SKEY)
    assert signer.vkey == PETER_VKEY
    assert signer.skey == PETER_SKEY
    assert sign_note(PETER_TEXT, [signer]) == PETER_NOTE  # Ed25519 is deterministic
    assert "AYEKFALV" not in repr(signer)


def test_go_doubly_signed_note() -> None:
    both = PETER_NOTE + ENOCH_SIG
    peter, enoch = Verifier.from_vkey(PETER_VKEY), Verifier.from_vkey(ENOCH_VKEY)
    note = open_note(both, [peter, enoch])
    assert [s.name for s in note.signatures] == ["PeterNeumann", "EnochRoot"]
    only_peter = open_note(both, [peter])
    assert [s.name for s in only_peter.signatures] == ["PeterNeumann"]
    assert [s.name for s in only_peter.unverified] == ["EnochRoot"]
    assert Signature.parse_line(ENOCH_SIG).line == ENOCH_SIG


def test_c2sp_signed_note_vector() -> None:
    foo = Verifier.from_vkey(FOO_VKEY)
    assert foo.key_id == 0x530D903A
    assert (
        foo.public_key.hex() == "e932791ae6e7a840a46164c904786426d5e7821dd8b29a00d61cae72afdd4da4"
    )
    assert open_note(FOO_NOTE, [foo]).text == "This is an example message.\n"


def test_published_checkpoint_with_a_witness_cosignature() -> None:
    log, remora = Verifier.from_vkey(ARCHE_VKEY), Verifier.from_vkey(REMORA_VKEY)
    assert remora.alg == ALG_COSIGNATURE_V1
    checkpoint, note = open_checkpoint(
        ARCHE_CHECKPOINT, origin=ARCHE_ORIGIN, log=log, cosigners=[remora]
    )
    assert checkpoint.origin == ARCHE_ORIGIN
    assert checkpoint.size == 1_432_088_532
    assert base64.b64encode(checkpoint.root_hash) == b"U7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro="
    assert checkpoint.extensions == ()
    assert checkpoint.body == note.text
    assert [s.name for s in note.signatures] == [ARCHE_ORIGIN, "remora.n621.de"]
    assert len(note.unverified) == 4  # the type 0x05 signature and three other witnesses
    assert cosignature_timestamp(note.signatures[1]) == 1_779_573_024
    # The log's signature alone is enough to open it; the cosignature is then just unknown.
    open_checkpoint(ARCHE_CHECKPOINT, origin=ARCHE_ORIGIN, log=log)
    tampered = ARCHE_CHECKPOINT.replace("1432088532", "1432088533")
    with pytest.raises(NoteError, match="invalid signature"):
        open_checkpoint(tampered, origin=ARCHE_ORIGIN, log=log)
    with pytest.raises(NoteError, match="origin"):
        open_checkpoint(ARCHE_CHECKPOINT, origin="other.example/log", log=log)
    with pytest.raises(NoteError, match="not signed by the log"):
        open_checkpoint(
            ARCHE_CHECKPOINT,
            origin=ARCHE_ORIGIN,
            log=Signer.generate("x").verifier,
            cosigners=[remora],
        )
    # A forged cosignature by a known witness rejects the checkpoint.
    forged_line = note.signatures[1].line
    blob = bytearray(base64.b64decode(forged_line.split(" ")[2]))
    blob[-1] ^= 1
    forged = ARCHE_CHECKPOINT.replace(
        forged_line, f"{EM_DASH} remora.n621.de {base64.b64encode(bytes(blob)).decode()}\n"
    )
    with pytest.raises(NoteError, match=r"invalid signature by remora\.n621\.de\+da77ade7"):
        open_checkpoint(forged, origin=ARCHE_ORIGIN, log=log, cosigners=[remora])


def test_c2sp_cosignature_example_format() -> None:
    signature = Signature.parse_line(SOFA_COSIGNATURE)
    assert signature.name == "witness.example.com/w1"
    assert signature.key_id == 0x8D66CF3F
    assert cosignature_timestamp(signature) == 1_679_315_147  # "time 1679315147" in the spec
    assert cosignature_message(SOFA_BODY, 1_679_315_147) == (
        b"cosignature/v1\ntime 1679315147\n" + SOFA_BODY.encode()
    )
    assert Checkpoint.parse(SOFA_BODY).size == 20_852_163


# --- keys ------------------------------------------------------------------------------------


@pytest.mark.parametrize("alg", [ALG_ED25519, ALG_COSIGNATURE_V1])
def test_generated_keys_round_trip(alg: int) -> None:
    signer = Signer.generate("log.example/ledger", alg)
    assert VKEY_RE.fullmatch(signer.vkey)
    assert signer.skey.startswith(f"PRIVATE+KEY+log.example/ledger+{signer.key_id:08x}+")
    again = Signer.from_skey(signer.skey)
    assert again.vkey == signer.vkey
    assert Verifier.from_vkey(signer.vkey) == signer.verifier
    raw = base64.b64decode(signer.vkey.split("+", 2)[2])
    assert raw[0] == alg
    assert signer.key_id == key_id("log.example/ledger", alg, raw[1:])
    # The type byte is part of the key id: one key gives different ids per type.
    other = ALG_COSIGNATURE_V1 if alg == ALG_ED25519 else ALG_ED25519
    assert signer.key_id != key_id("log.example/ledger", other, raw[1:])


@pytest.mark.parametrize("name", ["PeterNeumann", "example.com/log", "oid/1.3.6.1", "ünïcode"])
def test_valid_names(name: str) -> None:
    assert validate_name(name) == name


@pytest.mark.parametrize(
    "name", ["", "a b", "a+b", "a\tb", "a\nb", "a\u00a0b", "a\u2003b", "a\u3000b", "a\x01b"]
)
def test_invalid_names(name: str) -> None:
    with pytest.raises(NoteError, match="key name"):
        validate_name(name)
    with pytest.raises(NoteError):
        Signer.generate(name)


@pytest.mark.parametrize(
    "vkey",
    [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong id
        "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # 7 hex digits
        "PeterNeumann+c74f20a3",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",  # bad base64
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy",  # short key
        "PeterNeumann+c74f20a3+AhpjMQ==",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ],
)
def test_malformed_verifier_keys(vkey: str) -> None:
    with pytest.raises(NoteError):
        Verifier.from_vkey(vkey)


def test_unsupported_key_type() -> None:
    raw = base64.b64decode(PETER_VKEY.split("+", 2)[2])[1:]
    ecdsa_like = base64.b64encode(b"\x02" + raw).decode()
    with pytest.raises(NoteError, match="0x02"):
        Verifier.from_vkey(f"PeterNeumann+{key_id('PeterNeumann', 2, raw):08x}+{ecdsa_like}")


@pytest.mark.parametrize(
    "skey",
    [
        "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        "PRIVATE+KEYS+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        "PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr",
    ],
)
def test_malformed_signer_keys(skey: str) -> None:
    with pytest.raises(NoteError):
        Signer.from_skey(skey)


# --- notes -----------------------------------------------------------------------------------


def test_tampered_and_unsigned_notes_are_refused() -> None:
    peter = Verifier.from_vkey(PETER_VKEY)
    with pytest.raises(NoteError, match="invalid signature by PeterNeumann"):
        open_note(PETER_NOTE.replace("cryptography", "cryptographY"), [peter])
    with pytest.raises(NoteError, match="no valid signature"):
        open_note(PETER_NOTE, [Verifier.from_vkey(ENOCH_VKEY)])
    with pytest.raises(NoteError, match="no valid signature"):
        open_note(PETER_NOTE, [])
    # A valid signature does not excuse a bad one by another known key.
    enoch = Signature.parse_line(ENOCH_SIG)
    bad_enoch = Signature(
        enoch.name, enoch.key_id, enoch.signature[:-1] + bytes([enoch.signature[-1] ^ 1])
    ).line
    with pytest.raises(NoteError, match="EnochRoot"):
        open_note(PETER_NOTE + bad_enoch, [peter, Verifier.from_vkey(ENOCH_VKEY)])


def test_same_name_or_same_id_alone_is_an_unknown_key() -> None:
    peter = Verifier.from_vkey(PETER_VKEY)
    impostor = Signer.generate("PeterNeumann")  # same name, other key and id
    note = sign_note(PETER_TEXT, [impostor], signatures=[Signature.parse_line(PETER_SIG)])
    opened = open_note(note, [peter])
    assert [s.key_id for s in opened.unverified] == [impostor.key_id]
    same_id = Signature("Peter", 0xC74F20A3, b"\x00" * 64)  # same id, other name
    opened = open_note(PETER_NOTE + same_id.line, [peter])
    assert opened.unverified == (same_id,)


def test_repeated_signatures_count_once() -> None:
    peter = Verifier.from_vkey(PETER_VKEY)
    note = open_note(PETER_NOTE + PETER_SIG, [peter])
    assert len(note.signatures) == 1
    unknown = Signature("someone", 1, b"\x01" * 64).line
    assert len(open_note(PETER_NOTE + unknown + unknown, [peter]).unverified) == 1


@pytest.mark.parametrize(
    ("msg", "match"),
    [
        (PETER_TEXT + PETER_SIG, "no blank line|signature line"),
        (PETER_NOTE[:-1], "newline"),
        (PETER_TEXT + "\n", "no signature lines"),
        (PETER_TEXT.replace("problem,", "problem,\t") + "\n" + PETER_SIG, "control"),
        (PETER_TEXT + "\n" + PETER_SIG.replace(EM_DASH, "-"), "em dash"),
        (PETER_TEXT + "\n" + PETER_SIG.replace("PeterNeumann ", "PeterNeumann"), "no signature"),
        (PETER_TEXT + "\n" + PETER_SIG.replace("x08go", "x08g!"), "base64"),
        (PETER_TEXT + "\n" + f"{EM_DASH} PeterNeumann AAAAAA==\n", "shorter"),
        (PETER_TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Peter+Neumann"), "key name"),
        (PETER_TEXT + "\n" + PETER_SIG + "\n", "no signature lines"),
        (PETER_NOTE + "junk\n", "em dash"),
        (PETER_NOTE + PETER_SIG * 100, "more than 100"),
    ],
)
def test_malformed_notes(msg: str, match: str) -> None:
    with pytest.raises(NoteError, match=match):
        parse_note(msg)


def test_invalid_utf8_is_refused() -> None:
    with pytest.raises(NoteError, match="UTF-8"):
        parse_note(PETER_NOTE.encode().replace(b"If", b"I\xff"))


def test_sign_and_resign() -> None:
    log = Signer.generate("log.example/a")
    mirror = Signer.generate("mirror.example/b")
    text = "hello\n\nworld\n"  # blank lines inside the text are fine: the last one separates
    signed = sign_note(text, [log])
    note = open_note(signed, [log.verifier])
    assert note.text == text
    both = sign_note(note.text, [mirror], signatures=note.signatures)
    opened = open_note(both, [log.verifier, mirror.verifier])
    assert [s.name for s in opened.signatures] == ["log.example/a", "mirror.example/b"]
    # Re-signing with the same key replaces that key's old line instead of repeating it.
    again = sign_note(text, [log], signatures=opened.signatures)
    assert again.count("log.example/a") == 1
    with pytest.raises(NoteError, match="end with a newline"):
        sign_note("no newline", [log])
    with pytest.raises(NoteError, match="control"):
        sign_note("bell\x07\n", [log])
    with pytest.raises(NoteError, match="at least one"):
        format_note(text, [])


@settings(max_examples=40, deadline=None)
@given(st.text(st.characters(blacklist_categories=["Cs", "Cc"]), min_size=0, max_size=200))
def test_any_text_signs_and_opens(body: str) -> None:
    signer = Signer.from_seed("prop.example/log", b"\x07" * 32)
    text = body + "\n"
    assert open_note(sign_note(text, [signer]), [signer.verifier]).text == text


# --- checkpoints and cosignatures ------------------------------------------------------------


def test_checkpoint_body_and_parse() -> None:
    checkpoint = Checkpoint("example.com/log", 42, ROOT)
    body = checkpoint.body
    assert body == "example.com/log\n42\n" + base64.b64encode(ROOT).decode() + "\n"
    assert Checkpoint.parse(body) == checkpoint
    with_ext = Checkpoint("example.com/log", 0, ROOT, ("ext one", "two"))
    assert with_ext.body.endswith("\next one\ntwo\n")
    assert Checkpoint.parse(with_ext.body) == with_ext


@given(
    st.text(st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=60),
    st.integers(0, 2**64 - 1),
    st.binary(min_size=32, max_size=32),
    st.lists(st.text(st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1), max_size=3),
)
def test_checkpoints_round_trip(origin: str, size: int, root: bytes, ext: list[str]) -> None:
    checkpoint = Checkpoint(origin, size, root, tuple(ext))
    assert Checkpoint.parse(checkpoint.body) == checkpoint


ROOT64 = base64.b64encode(ROOT).decode()


@pytest.mark.parametrize(
    "text",
    [
        f"example.com/log\n01\n{ROOT64}\n",
        f"example.com/log\n-1\n{ROOT64}\n",
        f"example.com/log\n+1\n{ROOT64}\n",
        f"example.com/log\n 1\n{ROOT64}\n",
        f"example.com/log\n\u0661\n{ROOT64}\n",
        f"example.com/log\n{2**64}\n{ROOT64}\n",
        f"example.com/log\n1\n{ROOT64}",
        f"example.com/log\n1\n{ROOT64}\n\n",
        f"example.com/log\n1\n{ROOT64}\next\n\n",
        f"\n1\n{ROOT64}\n",
        "example.com/log\n1\n",
        f"example.com/log\n1\n{ROOT64[:-2]}=\n",
        f"example.com/log\n1\n{ROOT64[:-2]}B=\n",  # non-canonical trailing bits
        f"example.com/log\n1\n{base64.b64encode(ROOT[:31]).decode()}\n",
        f"example.com/log\n1\n{ROOT64.rstrip('=')}\n",
    ],
)
def test_malformed_checkpoints(text: str) -> None:
    with pytest.raises(NoteError, match="checkpoint"):
        Checkpoint.parse(text)


def test_invalid_checkpoint_values() -> None:
    for args in (("", 1, ROOT), ("a\nb", 1, ROOT), ("log", -1, ROOT), ("log", 1, ROOT[:31])):
        with pytest.raises(NoteError, match="checkpoint"):
            Checkpoint(*args)  # type: ignore[arg-type]
    with pytest.raises(NoteError, match="extension"):
        Checkpoint("log", 1, ROOT, ("",))


def test_log_signs_and_a_witness_cosigns() -> None:
    log = Signer.generate("example.com/log")
    witness = Signer.generate("witness.example/w1", ALG_COSIGNATURE_V1)
    checkpoint = Checkpoint("example.com/log", 10, ROOT)
    signed = sign_checkpoint(checkpoint, [log])
    opened, note = open_checkpoint(signed, origin="example.com/log", log=log.verifier)
    assert opened == checkpoint

    cosignature = cosign_checkpoint(note.text, witness, timestamp=1_700_000_000)
    assert cosignature.key_id == witness.key_id
    assert cosignature_timestamp(cosignature) == 1_700_000_000
    assert cosign_checkpoint(checkpoint, witness, 1_700_000_000) == cosignature  # deterministic
    cosigned = signed + cosignature.line
    _, note = open_checkpoint(
        cosigned, origin="example.com/log", log=log.verifier, cosigners=[witness.verifier]
    )
    assert [s.name for s in note.signatures] == ["example.com/log", "witness.example/w1"]

    # The timestamp is signed: changing it breaks the cosignature.
    moved = Signature(
        cosignature.name,
        cosignature.key_id,
        (1_700_000_001).to_bytes(8, "big") + cosignature.signature[8:],
    )
    with pytest.raises(NoteError, match="invalid signature by witness"):
        open_checkpoint(
            signed + moved.line,
            origin="example.com/log",
            log=log.verifier,
            cosigners=[witness.verifier],
        )
    # A cosignature is not a plain note signature, even by the same key.
    assert not witness.verifier.verify(note.text.encode(), cosignature.signature[8:])
    plain_view = Verifier.from_public_key(witness.name, witness.verifier.public_key)
    assert not plain_view.verify(note.text.encode(), cosignature.signature)


def test_cosigning_rules() -> None:
    with pytest.raises(NoteError, match="type 0x04"):
        cosign_checkpoint(Checkpoint("log", 1, ROOT), Signer.generate("plain"), 1)
    witness = Signer.generate("w", ALG_COSIGNATURE_V1)
    with pytest.raises(NoteError, match="checkpoint"):
        cosign_checkpoint("not a checkpoint\n", witness, 1)
    with pytest.raises(NoteError, match="timestamp"):
        cosignature_message(SOFA_BODY, 2**63)
    with pytest.raises(NoteError, match="timestamp"):
        cosignature_message(SOFA_BODY, -1)
    with pytest.raises(NoteError, match="72 bytes"):
        cosignature_timestamp(Signature("w", 1, b"\x00" * 64))
    assert cosignature_timestamp(cosign_checkpoint(SOFA_BODY, witness)) > 1_700_000_000
