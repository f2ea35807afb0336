"""Finding adapter classes by ``kind``: the built-in ones by name, others through an
entry-point group, so that a third party can add a supplier or a shop platform by installing
a package. ``suppliers/registry.py`` and ``shops/registry.py`` each hold one."""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import Generic, TypeVar, cast

from ordertui.domain.errors import OrdertuiError
from ordertui.i18n import N_, _

T = TypeVar("T")

#: a registry's errors, whole sentences for each kind of adapter it finds (its ``what``):
#: an unknown kind, a kind that cannot be loaded, a kind that is no adapter
ERRORS: dict[str, tuple[str, str, str]] = {
    "supplier": (N_("unknown supplier kind {kind}; known kinds: {kinds}"),
                 N_("supplier kind {kind} cannot be loaded ({target}): {error}"),
                 N_("supplier kind {kind} ({target}) is not a {base}")),
    "shop": (N_("unknown shop kind {kind}; known kinds: {kinds}"),
             N_("shop kind {kind} cannot be loaded ({target}): {error}"),
             N_("shop kind {kind} ({target}) is not a {base}")),
}


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
            raise OrdertuiError(self._errors()[0].format(kind=repr(kind),
                                                         kinds=", ".join(self.kinds())))
        module_name, _sep, attr = target.partition(":")
        try:
            cls = getattr(import_module(module_name), attr)
        except (ImportError, AttributeError) as exc:
            raise OrdertuiError(self._errors()[1].format(kind=repr(kind), target=target,
                                                         error=exc)) from exc
        if not (isinstance(cls, type) and issubclass(cls, self.base)):
            raise OrdertuiError(self._errors()[2].format(kind=repr(kind), target=target,
                                                         base=self.base.__name__))
        return cast("type[T]", cls)

    def _errors(self) -> tuple[str, str, str]:
        """The registry's three errors (templates), in the language of the process."""
        found = ERRORS.get(self.what)
        if found is not None:
            return (_(found[0]), _(found[1]), _(found[2]))
        # a registry of another kind of adapter: its errors name it in English
        return (f"unknown {self.what} kind {{kind}}; known kinds: {{kinds}}",
                f"{self.what} kind {{kind}} cannot be loaded ({{target}}): {{error}}",
                f"{self.what} kind {{kind}} ({{target}}) is not a {{base}}")
