"""(placeholder until the exchange-rate module lands)"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ordertui.domain.money import Money


@dataclass(frozen=True, slots=True)
class Rate:
    rate: Decimal
    source: str

    def convert(self, amount: Money) -> Money:
        raise NotImplementedError

    def describe(self) -> str:
        return self.source


@dataclass(frozen=True, slots=True)
class Unknown:
    reason: str

    def describe(self) -> str:
        return self.reason
