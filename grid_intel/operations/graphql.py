"""A small client for the Dagster webserver's GraphQL API (what the UI itself calls)."""

from __future__ import annotations

from typing import Any

import httpx


class DagsterApiError(RuntimeError):
    """The webserver could not be reached or answered with an error."""


class DagsterGraphQL:
    def __init__(self, url: str, timeout: float = 60.0) -> None:
        self.url = url
        self._client = httpx.Client(timeout=timeout)

    @classmethod
    def local(cls, port: int, host: str = "127.0.0.1") -> DagsterGraphQL:
        return cls(f"http://{host}:{port}/graphql")

    def __enter__(self) -> DagsterGraphQL:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def query(self, text: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The `data` of one query; transport and GraphQL errors raise DagsterApiError."""
        try:
            resp = self._client.post(self.url, json={"query": text, "variables": variables or {}})
        except httpx.TransportError as exc:
            raise DagsterApiError(
                f"cannot reach the Dagster webserver at {self.url} ({exc}); "
                "start it with `grid-intel stack up --dagster` or pass --url"
            ) from exc
        if resp.status_code != 200:
            raise DagsterApiError(f"{self.url} answered {resp.status_code}: {resp.text[:300]}")
        body = resp.json()
        if body.get("errors"):
            raise DagsterApiError(f"GraphQL error: {body['errors'][0].get('message')}")
        return body["data"]
