"""Errors the stack raises: each says what went wrong and what to do next."""


class StackError(RuntimeError):
    """A service could not be started, reached or stopped."""


class PortInUse(StackError):
    """The port a service wants is held by a program the stack did not start."""
