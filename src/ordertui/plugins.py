"""Finding adapter classes by ``kind``: the built-in ones by name, others through an
entry-point group, so that a third party can add a supplier or a shop platform by installing
a package. ``suppliers/registry.py`` and ``shops/registry.py`` each hold one."""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import Generic, TypeVar, cast

from ordertui.domain.errors import OrdertuiError

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, group: str, base: type, builtin: dict[str, str], what: str) -> None:
        # base: the abstract class every adapter of the group subclasses (T)
        self.group, self.base, self.what = group, base, what
        #: built-in adapters, also found from a source tree that was never installed
        self.builtin = builtin
        self.entry_points = cache(self._scan)

    def _scan(self) -> dict[str, str]:
        from importlib.metadata import entry_points  # scans every installed package: only here

        found = dict(self.builtin)
        for ep in entry_points(group=self.group):
            found[ep.name] = ep.value
        return found

    def kinds(self) -> list[str]:
        return sorted(self.entry_points())

    def adapter_class(self, kind: str) -> type[T]:
        # the built-in kinds are known without reading every installed package's metadata
        target = self.builtin.get(kind) or self.entry_points().get(kind)
        if target is None:
            raise OrdertuiError(f"unknown {self.what} kind {kind!r}; known kinds: "
                                f"{', '.join(self.kinds())}")
        module_name, _, attr = target.partition(":")
        try:
            cls = getattr(import_module(module_name), attr)
        except (ImportError, AttributeError) as exc:
            raise OrdertuiError(f"{self.what} kind {kind!r} cannot be loaded ({target}): "
                                f"{exc}") from exc
        if not (isinstance(cls, type) and issubclass(cls, self.base)):
            raise OrdertuiError(f"{self.what} kind {kind!r} ({target}) is not a "
                                f"{self.base.__name__}")
        return cast("type[T]", cls)
