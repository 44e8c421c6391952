"""Package names imported on first use (PEP 562): importing a package for one light
submodule (as the Dagster definitions do) loads none of its numerical libraries."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping


def lazy(
    package: str, exports: Mapping[str, str], *, together: bool = False
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """A package's `__getattr__` and `__dir__`; `exports` maps each name to its submodule.
    `together`: the first use binds every name (for names that are also submodules, so
    the package attribute is always the function, as a plain import made it)."""

    def get(name: str) -> object:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        namespace = vars(sys.modules[package])
        for export in exports if together else (name,):
            module = importlib.import_module(f"{package}.{exports[export]}")
            namespace[export] = getattr(module, export)
        return namespace[name]

    def names() -> list[str]:
        return sorted({*vars(sys.modules[package]), *exports})

    return get, names
