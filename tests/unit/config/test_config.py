"""Configuration: defaults, the file the merchant names, one-line errors that point at the
line and key, secrets from the environment, private files, atomic 0600 writes."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from ordertui import config as cfg
from ordertui.domain.errors import ConfigError
from ordertui.secrets import redacted, resolve_secret
from ordertui.services.settings import check_suppliers


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def one_line(err: ConfigError) -> str:
    text = str(err)
    assert "\n" not in text
    return text


def test_no_file_means_the_demo_supplier(tmp_path: Path) -> None:
    home = Path(os.environ["HOME"])
    c = cfg.load()
    assert c.implicit_demo and [s.kind for s in c.suppliers.values()] == ["demo"]
    assert list(c.suppliers) == ["demo"] and c.suppliers["demo"].kind == "demo"
    # the platform's user paths, inside the isolated home
    assert c.path == home / ".config" / "ordertui" / "config.toml"
    assert c.data_dir == home / ".local" / "share" / "ordertui"
    assert c.theme == "textual-dark" and c.sync_interval_s == 300.0 and c.keys == {}
    assert not c.path.exists()  # reading never creates the file


def test_environment_overrides_the_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    file = write(tmp_path / "elsewhere.toml", '[app]\ntheme = "nord"\n')
    monkeypatch.setenv("ORDERTUI_CONFIG", str(file))
    monkeypatch.setenv("ORDERTUI_DATA_DIR", str(tmp_path / "d"))
    c = cfg.load()
    assert c.path == file and c.theme == "nord" and c.data_dir == tmp_path / "d"
    # explicit arguments (--config, --data-dir) win over the environment
    other = write(tmp_path / "other.toml", '[app]\ntheme = "dracula"\n')
    c = cfg.load(other, tmp_path / "d2")
    assert c.theme == "dracula" and c.data_dir == tmp_path / "d2"


def test_data_dir_from_the_file_unless_the_environment_says(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    file = write(tmp_path / "c.toml", f'[app]\ndata_dir = "{tmp_path / "fromfile"}"\n')
    assert cfg.load(file).data_dir == tmp_path / "fromfile"
    monkeypatch.setenv("ORDERTUI_DATA_DIR", str(tmp_path / "fromenv"))
    assert cfg.load(file).data_dir == tmp_path / "fromenv"


def test_a_named_file_must_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as info:
        cfg.load(missing)
    assert str(missing) in one_line(info.value) and "no such file" in str(info.value)
    assert info.value.exit_code == 2
    monkeypatch.setenv("ORDERTUI_CONFIG", str(missing))
    with pytest.raises(ConfigError, match="no such file"):
        cfg.load()


@pytest.mark.parametrize(("text", "line"), [
    ('[app]\ntheme = "nord"\nsync_interval_s = = 5\n', 3),
    ('[suppliers.demo]\nkind = "demo"\n\n[suppliers.demo\n', 4),
    ('theme = "unterminated\n', 1),
    ('[app]\ntheme = "a"\ntheme = "b"\n', 3),
])
def test_malformed_toml_is_one_line_naming_file_and_line(tmp_path: Path, text: str,
                                                         line: int) -> None:
    file = write(tmp_path / "bad.toml", text)
    with pytest.raises(ConfigError) as info:
        cfg.load(file)
    msg = one_line(info.value)
    assert msg.startswith(f"{file}, line {line}: not valid TOML")
    assert info.value.line == line and info.value.path == str(file)


@pytest.mark.parametrize(("text", "key", "line"), [
    ('[app]\ntheme = "nord"\nsync_interval_s = 1\n', "app.sync_interval_s", 3),
    ('[app]\ntheme = 3\n', "app.theme", 2),
    ('# mine\n[suppliers.demo]\nkind = "demo"\nreview_delay_s = "soon"\n',
     "suppliers.demo.review_delay_s", 4),
    ('[suppliers.demo]\nkind = "demo"\norders = -5\n', "suppliers.demo.orders", 3),
    ('[suppliers.shop]\nkind = "nosuchkind"\n', "suppliers.shop.kind", 2),
    ('[shops.main]\nkind = "woo"\n', "shops.main.kind", 2),
    ('[shops.main]\nkind = "shopify"\nstore = "my shop!"\naccess_token_env = "T"\n',
     "shops.main.store", 3),
    ('[shops.main]\nkind = "shopify"\nstore = "my-shop"\n', "shops.main.access_token_env",
     None),
    ('[shops.main]\nkind = "shopify"\nstore = "s"\naccess_token_env = "T"\n'
     'base_url = "http://example.com/admin"\n', "shops.main.base_url", 5),
    ('[suppliers.cj]\nkind = "cj"\napi_key_env = "K"\nread_timeout_s = 0\n',
     "suppliers.cj.read_timeout_s", 4),
    ('[suppliers.ae]\nkind = "aliexpress"\napp_key = "1"\napp_secret_env = "S"\n'
     'access_token_env = "A"\nrate_limit = true\n', "suppliers.ae.rate_limit", 6),
    ('[suppliers."my shop"]\nkind = "demo"\n', "suppliers.my shop", None),
    ('[suppliers.x]\nseed = 1\n', "suppliers.x.kind", None),
    ('[keys]\ncancel = 3\n', "keys", None),
    ('suppliers = 3\n', "suppliers", None),
])
def test_a_bad_value_names_its_key_and_line(tmp_path: Path, text: str, key: str,
                                            line: int | None) -> None:
    file = write(tmp_path / "c.toml", text)
    with pytest.raises(ConfigError) as info:
        # the file's shape is the config's to check, the suppliers' kinds and settings the
        # services layer's: the merchant gets one error either way
        check_suppliers(cfg.load(file))
    msg = one_line(info.value)
    assert info.value.key == key and f"key {key}" in msg
    assert info.value.line == line
    if line is not None:
        assert msg.startswith(f"{file}, line {line}, key {key}: ")


def test_suppliers_and_settings(tmp_path: Path) -> None:
    file = write(tmp_path / "c.toml", '[suppliers.main]\nkind = "demo"\nreview_delay_s = 0.5\n'
                                      'seed = 3\n\n[suppliers.second]\nkind = "demo"\n'
                                      '[keys]\ncancel = "x"\n')
    c = cfg.load(file)
    assert list(c.suppliers) == ["main", "second"] and not c.implicit_demo
    assert c.suppliers["main"].settings["review_delay_s"] == 0.5
    assert c.keys == {"cancel": "x"}


def test_secrets_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = write(tmp_path / "c.toml", '[suppliers.demo]\nkind = "demo"\napi_key_env = '
                                      '"SHOP_KEY"\n', mode=0o644)  # no inline secret: 0644 ok
    c = cfg.load(file)
    sc = c.suppliers["demo"]
    with pytest.raises(ConfigError, match="SHOP_KEY") as info:
        sc.secret("api_key", source=str(file))
    assert info.value.key == "api_key_env" and "not set" in one_line(info.value)
    monkeypatch.setenv("SHOP_KEY", "s3cr3t-value")
    assert sc.secret("api_key", source=str(file)) == "s3cr3t-value"
    assert sc.secret("app_secret", source=str(file)) is None
    assert resolve_secret({"token": "inline"}, "token", where="x") == "inline"
    with pytest.raises(ConfigError, match="must be a string"):
        resolve_secret({"token": 5}, "token", where="x")
    with pytest.raises(ConfigError, match="environment variable"):
        resolve_secret({"token_env": ["X"]}, "token", where="x")


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_a_file_with_an_inline_secret_must_be_private(tmp_path: Path, mode: int) -> None:
    file = write(tmp_path / "c.toml", '[email]\nhost = "smtp.example.com"\nfrom = "a@b.c"\n'
                                      'password = "hunter2"\n', mode=mode)
    with pytest.raises(ConfigError) as info:
        cfg.load(file)
    msg = one_line(info.value)
    assert f"chmod 600 {file}" in msg and "hunter2" not in msg
    file.chmod(0o600)
    c = cfg.load(file)
    assert c.email().password == "hunter2"


def test_a_secret_nested_in_a_supplier_table_counts_too(tmp_path: Path) -> None:
    file = write(tmp_path / "c.toml", '[suppliers.demo]\nkind = "demo"\napi_key = "k"\n',
                 mode=0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        cfg.load(file)


def test_email_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = write(tmp_path / "c.toml", '[email]\nhost = "smtp.example.com"\nfrom = "a@b.c"\n'
                                      'security = "tls"\nusername = "me"\n'
                                      'password_env = "SMTP_PW"\n')
    monkeypatch.setenv("SMTP_PW", "pw")
    e = cfg.load(file).email()
    assert (e.host, e.port, e.security, e.username, e.password, e.sender) == (
        "smtp.example.com", 465, "tls", "me", "pw", "a@b.c")
    with pytest.raises(ConfigError, match=r"no \[email\] table"):
        cfg.load(write(tmp_path / "none.toml", "")).email()
    bad = write(tmp_path / "bad.toml", '[email]\nhost = "h"\nfrom = "f"\nport = 99999\n')
    with pytest.raises(ConfigError) as info:
        cfg.load(bad).email()
    assert info.value.line == 4 and info.value.key == "email.port"


def test_write_toml_is_private_and_atomic(tmp_path: Path) -> None:
    target = tmp_path / "conf" / "config.toml"
    data = {"app": {"theme": "nord"}, "suppliers": {"demo": {"kind": "demo", "seed": 3}}}
    cfg.write_toml(target, data)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert tomllib.loads(target.read_text()) == data
    # over an existing world-readable file: the new one is private too
    target.chmod(0o644)
    cfg.write_toml(target, {"app": {"theme": "dracula"}})
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert tomllib.loads(target.read_text()) == {"app": {"theme": "dracula"}}
    assert sorted(p.name for p in target.parent.iterdir()) == ["config.toml"]  # no temp file


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "conf" / "config.toml"
    cfg.write_toml(target, {"app": {"theme": "nord"}})
    before = target.read_bytes()
    with pytest.raises(TypeError):
        cfg.write_toml(target, {"app": {"theme": object()}})  # cannot be written as TOML
    assert target.read_bytes() == before
    assert [p.name for p in target.parent.iterdir()] == ["config.toml"]


def test_save_round_trips(tmp_path: Path) -> None:
    file = write(tmp_path / "c.toml", '[app]\ntheme = "nord"\n[keys]\ncancel = "x"\n')
    c = cfg.load(file)
    c.raw["app"]["theme"] = "gruvbox"
    cfg.save(c)
    again = cfg.load(file)
    assert again.theme == "gruvbox" and again.keys == {"cancel": "x"}
    assert stat.S_IMODE(file.stat().st_mode) == 0o600


def test_redacted_hides_inline_secrets() -> None:
    shown = redacted({"kind": "cj", "api_key": "abc", "api_key_env": "X",
                          "nested": {"password": "p", "user": "u"}})
    assert shown == {"kind": "cj", "api_key": "••••", "api_key_env": "X",
                     "nested": {"password": "••••", "user": "u"}}
