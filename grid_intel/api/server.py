"""Run the API with uvicorn (one process; the pool and the Kafka relay live in it)."""

from __future__ import annotations

import socket

import uvicorn

from grid_intel.api.app import create_app
from grid_intel.settings import Settings


def listening_socket(host: str, port: int) -> socket.socket:
    """The API's port, bound before anything else in the process opens a connection.
    uvicorn binds after the app's start-up, whose Kafka clients take ephemeral local
    ports: on 127.0.0.1 one of them can be the API's own port (seen twice in a row
    with the API on 58180 and the broker on 59192), and the bind then fails."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    sock = listening_socket(host or settings.api_host, port or settings.api_port)
    config = uvicorn.Config(create_app(settings), log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])
