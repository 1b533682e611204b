"""The tool's own RSA keys: files in the instance folder, published (public half only) as a JWKS.

The newest key signs; older ones stay published for LTI_KEY_OVERLAP_DAYS after a newer one
appears, so a platform that cached the old set still checks what was signed just before a
rotation. Private keys are PEM files readable by their owner only and never leave this folder.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_BITS = 2048
FOLDER = "lti_keys"


@dataclass(frozen=True)
class ToolKey:
    """A key pair: its id (a UTC time to the microsecond first, so names sort by age) and private key."""

    kid: str
    private_key: rsa.RSAPrivateKey

    @property
    def created_at(self) -> datetime:
        """Return when the key was made (from its id)."""
        return datetime.strptime(self.kid[:22], "%Y%m%dT%H%M%S.%f").replace(tzinfo=UTC)

    def public_jwk(self) -> dict:
        """Return the public half as a JWK."""
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}


def key_folder(instance_dir: Path) -> Path:
    """Return the folder of the tool's keys inside the instance folder."""
    return Path(instance_dir) / FOLDER


def make_key(instance_dir: Path, now: datetime | None = None) -> ToolKey:
    """Make a new key pair and save its private key (owner-only); it signs from now on."""
    folder = key_folder(instance_dir)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    kid = f"{(now or datetime.now(UTC)):%Y%m%dT%H%M%S.%f}-{secrets.token_hex(4)}"
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path = folder / f"{kid}.pem"
    path.touch(mode=0o600)
    path.write_bytes(pem)
    return ToolKey(kid, private_key)


def keys(instance_dir: Path) -> list[ToolKey]:
    """Return the saved keys, oldest first."""
    folder = key_folder(instance_dir)
    found = []
    for path in sorted(folder.glob("*.pem")) if folder.is_dir() else []:
        found.append(ToolKey(path.stem, serialization.load_pem_private_key(path.read_bytes(), password=None)))
    return found


def signing_key(instance_dir: Path) -> ToolKey:
    """Return the newest key, making the first one when there is none."""
    saved = keys(instance_dir)
    return saved[-1] if saved else make_key(instance_dir)


def published(instance_dir: Path, overlap: timedelta, now: datetime | None = None) -> list[ToolKey]:
    """Return the keys to publish: the newest, and older ones replaced less than `overlap` ago."""
    saved = keys(instance_dir) or [make_key(instance_dir)]
    now = now or datetime.now(UTC)
    # A key stops being published `overlap` after its successor was made.
    return [
        key for key, successor in zip(saved, saved[1:], strict=False) if now - successor.created_at < overlap
    ] + [saved[-1]]


def rotate(instance_dir: Path, overlap: timedelta, now: datetime | None = None) -> tuple[ToolKey, list[str]]:
    """Make a new signing key and delete keys no longer published; return it and the deleted ids."""
    new = make_key(instance_dir, now)
    keep = {key.kid for key in published(instance_dir, overlap, now)}
    retired = [key.kid for key in keys(instance_dir) if key.kid not in keep]
    for kid in retired:
        (key_folder(instance_dir) / f"{kid}.pem").unlink()
    return new, retired


def jwks(instance_dir: Path, overlap: timedelta) -> dict:
    """Return the JSON Web Key Set of the published keys (public halves only)."""
    return {"keys": [key.public_jwk() for key in published(instance_dir, overlap)]}


def sign(instance_dir: Path, claims: dict) -> str:
    """Sign claims as a JWT (RS256) with the newest key, naming it in the header."""
    key = signing_key(instance_dir)
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})
