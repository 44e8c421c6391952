"""The API's listening socket is bound before the app starts (and its Kafka clients
take their ephemeral ports)."""

import socket

from grid_intel.api.server import listening_socket


def test_the_port_is_bound_and_listening_before_anything_else_runs():
    sock = listening_socket("127.0.0.1", 0)
    try:
        port = sock.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass  # the kernel accepts into the backlog: it is listening
        other = socket.socket()
        try:
            other.bind(("127.0.0.1", port))
            raise AssertionError("a second socket could take the API's port")
        except OSError:
            pass
        finally:
            other.close()
    finally:
        sock.close()
