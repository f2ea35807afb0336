"""What the property-based tests (hypothesis) share. Whatever a supplier answers, whatever
a config file holds, whatever is typed on the command line or into a form, ordertui answers
with one of its typed errors (``OrdertuiError``) or a result — never an unhandled exception.
The tests live by layer (``test_*_properties.py``):

- supplier answers (unit/suppliers): the real CJ and AliExpress adapters, over httpx with a
  transport that answers every request with generated bodies (JSON of any shape, the
  documented fields with wrong types, huge strings and numbers, odd Unicode, broken bytes,
  error codes); what they return is then stored, as a sync would; ``SupplierHTTP.json`` and
  ``retry_after`` on generated bodies and headers;
- the config (unit/config): ``parse`` on generated TOML-shaped tables, ``load`` on generated
  bytes;
- the command line (unit/cli): a few commands with generated arguments (exit 0, 1 or 2; one
  line on stderr; no traceback, no crash report);
- every form field validator (unit/domain, unit/services).

Each test counts its inputs in ``TRIED``; the run prints the total ("inputs tried by the
property tests") in its summary (tests/conftest.py). Runs are derandomized, so CI sees the
same inputs every time."""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from support.hostile import CORPUS

#: inputs tried, by test; printed in the run's summary
TRIED: Counter[str] = Counter()
#: exit codes the generated command lines got
EXITS: Counter[int] = Counter()

SETTINGS = settings(deadline=None, database=None, derandomize=True, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


# --- generated values ---------------------------------------------------------------------

ODD_CHARS = st.characters(categories=["Cc", "Cf", "Cs", "Co", "Zl", "Zp", "Mn"])
HUGE = st.sampled_from([10, 1_000, 5_000, 100_000]).map(lambda n: "9" * n)
DATES = st.sampled_from([
    "", " ", "0", "-1", "1e999", "NaN", "Infinity", "0001-01-01 00:00:00",
    "0001-01-01T00:00:00+14:00", "9999-12-31 23:59:59", "9999-12-31T23:59:59-14:00",
    "2024-02-30 10:00:00", "2024-01-01T00:00:00Z", "2024-13-01", "12:00", "T", "+", "Z",
    "2024-01-01 00:00:00+99:00", "1700000000000", "-62135596800000", "99999999999999999"])
TEXT = st.one_of(st.text(max_size=24), st.text(ODD_CHARS, max_size=12),
                 st.sampled_from(list(CORPUS.values())), HUGE, DATES)
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70),
                   st.floats(allow_nan=True, allow_infinity=True), TEXT)
WILD = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=6)


def fields(keys: tuple[str, ...], **required: st.SearchStrategy[Any]
           ) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with the documented ``keys`` (each present or not), values of any kind."""
    return st.fixed_dictionaries(required, optional={k: WILD for k in keys})


def maybe(shape: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the documented shape, sometimes anything at all."""
    return st.one_of(shape, shape, shape, WILD)


AMOUNT = st.one_of(TEXT, st.decimals(allow_nan=True, allow_infinity=True).map(str),
                   st.sampled_from(["12.50", "12,50", "$1,234.50", "1,500", "-3", "0",
                                    "1e9999999", "1E-9999999", "€ 5", "full", "ALL", "½",
                                    "١٢", "1_000", "0x10", "  7  ", "sNaN", "1,2,3"]))


def summary() -> str:
    """The line the run's summary prints: inputs tried, by test, and the exit codes the
    generated command lines got; empty when no property test ran."""
    total = sum(TRIED.values())
    if not total:
        return ""
    return (f"property tests: {total:,} inputs tried ("
            + ", ".join(f"{k} {v:,}" for k, v in sorted(TRIED.items())) + ")"
            + ("; command lines exited " + ", ".join(f"{c}: {n}" for c, n in
                                                      sorted(EXITS.items())) if EXITS else ""))
