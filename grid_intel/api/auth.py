"""API keys for the write endpoints: `X-API-Key: gi_<prefix>_<secret>`.

The secret is 256 random bits and is stored as its SHA-256: with no dictionary to
attack, a slow password KDF would only add latency to every request. The prefix
finds the row; the hashes are compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

import psycopg
from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader

from grid_intel.api.db import fetch

HEADER = "X-API-Key"
_header = APIKeyHeader(
    name=HEADER, auto_error=False, description="An API key: gi_<prefix>_<secret>."
)


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse(key: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed key, else None."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != "gi" or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def create_key(conn: psycopg.Connection, name: str) -> str:
    """Mint a key as the pipeline role; the returned key is never stored and cannot be
    shown again."""
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    with conn.transaction():
        conn.execute(
            "insert into ops.api_keys (name, prefix, key_hash) values (%s, %s, %s)",
            (name, prefix, hash_secret(secret)),
        )
    return f"gi_{prefix}_{secret}"


def revoke_key(conn: psycopg.Connection, key_or_prefix: str) -> bool:
    """Revoke a key (given whole or by its prefix); False if there was none to revoke."""
    parsed = parse(key_or_prefix)
    prefix = parsed[0] if parsed else key_or_prefix
    with conn.transaction():
        cur = conn.execute(
            "update ops.api_keys set revoked_at = now() where prefix = %s and revoked_at is null",
            (prefix,),
        )
    return cur.rowcount > 0


async def require_key(
    request: Request, key: Annotated[str | None, Security(_header)] = None
) -> ApiKey:
    """The caller's key, or 401 (none sent) / 403 (unknown or revoked)."""
    if not key:
        raise HTTPException(
            401,
            f"this endpoint needs an API key in the {HEADER} header; "
            "ask the platform operator for one",
            headers={"WWW-Authenticate": HEADER},
        )
    parsed = parse(key)
    rows = (
        await fetch(
            request,
            "select id::text as id, name, key_hash from ops.api_keys"
            " where prefix = %s and revoked_at is null",
            (parsed[0],),
        )
        if parsed
        else []
    )
    # compare_digest even without a row, so a miss costs what a mismatch does.
    stored = rows[0]["key_hash"] if rows else "0" * 64
    given = hash_secret(parsed[1]) if parsed else ""
    if not hmac.compare_digest(stored, given) or not rows:
        raise HTTPException(
            403, "the API key is unknown or revoked; ask the platform operator for a new one"
        )
    return ApiKey(rows[0]["id"], rows[0]["name"])


Caller = Annotated[ApiKey, Depends(require_key)]
