"""The headless commands for returns, refunds, recoveries, stock and the policy: results on
stdout, notes and errors one line on stderr, exit 0 / 1 / 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ordertui.cli import main_group
from ordertui.config import load
from ordertui.domain.states import OrderStatus
from ordertui.services.core import Services
from support.returns import make_order

CONFIG = """\
[suppliers.demo]
kind = "demo"
review_delay_s = 0

[returns]
address = "Anna Schmidt\\nHauptstraße 5\\n10115 Berlin"
window_days = 30
email = "service@lampen.example"
"""


class Cli:
    def __init__(self, tmp_path: Path, config: str = CONFIG) -> None:
        self.config = tmp_path / "config.toml"
        self.config.write_text(config, encoding="utf-8")
        self.data = tmp_path / "data"
        s = Services(load(self.config, self.data))
        s.store.bulk_insert([make_order(1), make_order(2, status=OrderStatus.SHIPPED),
                             make_order(3, status=OrderStatus.PROCESSING)])
        s.store.close()

    def __call__(self, *args: str) -> Result:
        return CliRunner().invoke(main_group, ["--config", str(self.config), "--data-dir",
                                               str(self.data), *args])


def ok(result: Result) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout


def refused(result: Result, code: int = 2) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ordertui: ") and "Traceback" not in \
        result.stderr
    return lines[0]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


def test_a_return_from_open_to_stock_to_a_new_order(cli: Cli) -> None:
    result = cli("return", "open", "#1", "--items", "LAMP-01:1,MUG-02:1", "--reason",
                 "too dark", "--tracking", "DHL1")
    assert ok(result) == ("#1: return 1 requested — 1× Desk lamp, 1× Mug to your address "
                          "(Anna Schmidt, Hauptstraße 5, 10115 Berlin)\n")
    assert "demo accepts no returns; you can accept this return at your own address" in \
        result.stderr
    assert ok(cli("return", "set", "1", "--state", "in_transit")) == \
        "#1: return 1 in_transit\n"
    assert ok(cli("return", "set", "#1", "--state", "received", "--condition", "as new")) == \
        "#1: return 1 received\n"
    assert ok(cli("return", "set", "#1", "--state", "restocked")) == \
        "#1: return 1 restocked — in the returns stock\n"
    listing = ok(cli("return", "list"))
    assert "#1" in listing and "restocked" in listing and "DHL1" in listing
    stock = cli("stock", "list")
    assert "LAMP-01" in ok(stock) and "as new" in stock.stdout and "#1" in stock.stdout
    assert stock.stderr == "2 items in 2 lots\n"
    assert ok(cli("stock", "use", "LAMP-01", "--order", "#2")) == \
        "#2: 1× LAMP-01 from the returns stock (0 left)\n"
    assert refused(cli("stock", "use", "LAMP-01", "--order", "#2")) == \
        "ordertui: no LAMP-01 in the returns stock"


def test_return_errors_are_one_line(cli: Cli) -> None:
    assert "has no item 'SOFA'" in refused(cli("return", "open", "#1", "--items", "SOFA:1",
                                               "--reason", "x"))
    assert "bought 2" in refused(cli("return", "open", "#1", "--items", "LAMP-01:3",
                                     "--reason", "x"))
    assert "only shipped or delivered" in refused(cli("return", "open", "#3", "--items",
                                                      "LAMP-01:1", "--reason", "x"))
    assert "write SKU:QUANTITY" in refused(cli("return", "open", "#1", "--items", "LAMP:x",
                                               "--reason", "x"))
    assert "demo accepts no returns" in refused(cli("return", "open", "#1", "--items",
                                                    "LAMP-01:1", "--reason", "x", "--to",
                                                    "supplier"))
    assert "no order '#99'" in refused(cli("return", "open", "#99", "--items", "LAMP-01:1",
                                           "--reason", "x"))
    assert "no return open for order" in refused(cli("return", "set", "#1", "--state",
                                                     "received"))
    ok(cli("return", "open", "#1", "--items", "LAMP-01:1", "--reason", "x"))
    assert refused(cli("return", "set", "#1", "--state", "restocked")) == (
        "ordertui: a return cannot go from requested to restocked; from requested it can go "
        "to cancelled, in_transit, received")
    assert "belongs to another order" in refused(cli("return", "set", "#2", "--state",
                                                     "received", "--return", "1"))
    result = cli("return", "set", "#1", "--state", "lost")
    assert result.exit_code == 2 and "lost" in result.stderr  # click's own usage error


def test_refunds_and_recoveries(cli: Cli) -> None:
    assert ok(cli("refund", "#1", "--amount", "20", "--reason", "scratched")) == (
        "#1: refunded €20.00; net €22.00 (sale €65.00 − cost €23.00 − refunds €20.00 + "
        "recovered €0.00)\n")
    assert refused(cli("refund", "#1", "--amount", "50", "--reason", "x")) == (
        "ordertui: at most €45.00 can still be refunded: the customer paid €65.00 and €20.00 "
        "is refunded already")
    assert "refunded €45.00" in ok(cli("refund", "#1", "--amount", "full", "--reason",
                                       "returned", "--item-returned"))
    assert "already refunded in full" in refused(cli("refund", "#1", "--amount", "1",
                                                     "--reason", "x"))
    assert "recovered €5.00; net -€18.00" in ok(cli("recovered", "#1", "--amount", "5",
                                                    "--note", "seller credit"))
    assert "at most €18.00 more" in refused(cli("recovered", "#1", "--amount", "19"))
    assert "is not an amount" in refused(cli("recovered", "#1", "--amount", "lots"))
    result = cli("refund", "#1", "--amount", "5")  # --reason missing: click says so
    assert result.exit_code == 2 and "--reason" in result.stderr


def test_policy_to_stdout_and_to_a_file(cli: Cli, tmp_path: Path) -> None:
    text = ok(cli("policy"))
    assert text.startswith("# Refund and return policy\n")
    assert "within 30 days of delivery" in text and "Hauptstraße 5" in text
    de = ok(cli("policy", "--lang", "de", "--format", "text"))
    assert de.startswith("Rückgabe- und Erstattungsrichtlinie\n====")
    out = tmp_path / "policy-fr.md"
    result = cli("policy", "--lang", "fr", "--output", str(out))
    assert ok(result) == ""
    assert out.read_text(encoding="utf-8").startswith(
        "# Politique de retour et de remboursement\n")
    assert "wrote" in result.stderr and "returns within 30 days" in result.stderr
    assert "no directory" in refused(cli("policy", "--output", str(tmp_path / "no" / "x.md")),
                                     1)
    assert cli("policy", "--lang", "es").exit_code == 2


def test_policy_notes_and_config_errors(tmp_path: Path) -> None:
    plain = Cli(tmp_path / "a", CONFIG.split("[returns]")[0])
    result = plain("policy")
    assert "We cannot take back items you no longer want" in ok(result)
    assert "ordertui: note: demo accepts no returns and [returns] has no address" in \
        result.stderr
    broken = Cli(tmp_path / "b", CONFIG + "\n[suppliers.demo.policy]\nprotection_days = -1\n")
    line = refused(broken("policy"))
    assert "suppliers.demo.policy.protection_days" in line


@pytest.fixture(autouse=True)
def _dirs(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()


def test_a_suppliers_new_policy_regenerates_the_policy_the_merchant_took(tmp_path: Path
                                                                          ) -> None:
    config = CONFIG.replace("review_delay_s = 0\n", "review_delay_s = 0\norders = 20\n")
    stricter = config.replace("[returns]", "[suppliers.demo.policy]\naccepts_returns = true\n"
                                           "return_window_days = 14\n\n[returns]")
    cli = Cli(tmp_path, config)
    out = tmp_path / "shop" / "policy.md"
    out.parent.mkdir()
    ok(cli("policy", "--output", str(out)))
    before = out.read_text(encoding="utf-8")
    assert "within 30 days of delivery" in before
    assert "return policy" not in cli("sync").stderr  # nothing changed: nothing said
    cli.config.write_text(stricter, encoding="utf-8")  # the supplier now takes 14 days only
    changed = cli("sync")
    assert changed.exit_code == 0
    assert (f"ordertui: note: your suppliers' policies or [returns] changed: your return "
            f"policy in {out.resolve()} was regenerated (returns within 14 days, was 30); "
            "update your shop's policy page") in changed.stderr
    after = out.read_text(encoding="utf-8")
    assert "within 14 days of delivery" in after and "within 30 days" not in after
    assert "return policy" not in cli("sync").stderr  # the file is current: said once
    # printed rather than saved: the merchant is reminded until they take it again
    ok(cli("policy", "--lang", "de"))
    cli.config.write_text(config, encoding="utf-8")
    for _ in range(2):
        assert "run `ordertui policy` (or press P in the app)" in cli("sync").stderr
    # a policy only printed leaves the saved file alone
    assert out.read_text(encoding="utf-8") == after
    assert ok(cli("policy", "--lang", "de")).startswith("# Rückgabe")
    assert "return policy" not in cli("sync").stderr


def test_the_policy_is_printed_even_where_it_cannot_be_remembered(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    result = CliRunner().invoke(main_group, ["--config", str(config), "--data-dir",
                                             str(blocker / "data"), "policy"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# Refund and return policy\n")
