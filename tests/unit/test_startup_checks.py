from pathlib import Path

from portico.config import Settings
from portico.serving.startup_checks import findings


def settings(tmp_path: Path, **sections: dict) -> Settings:
    return Settings(general={"data_dir": str(tmp_path)}, **sections)


def messages(found: list, level: str) -> list[str]:
    return [f.message for f in found if f.level == level]


def test_the_embedded_default_starts_without_a_word(tmp_path: Path) -> None:
    assert findings(settings(tmp_path), "serve") == []


def test_a_well_known_or_short_secret_refuses_to_start(tmp_path: Path) -> None:
    for secret in ("changeme", "short-but-not-32-chars"):
        found = findings(settings(tmp_path, security={"secret_key": secret}), "manager")
        assert len(messages(found, "error")) == 1
        assert "secret_key" in messages(found, "error")[0]
    good = findings(settings(tmp_path, security={"secret_key": "x" * 48}), "serve")
    assert messages(good, "error") == []


def test_a_cookie_without_secure_behind_https_refuses_to_start(tmp_path: Path) -> None:
    s = settings(
        tmp_path,
        security={"cookie_secure": "false"},
        service={"public_url": "https://console.example.org"},
    )
    [error] = messages(findings(s, "webserver"), "error")
    assert "cookie_secure" in error and "https://console.example.org" in error
    assert messages(findings(s, "manager"), "error") == []  # the manager sets no cookie


def test_mail_without_a_public_url_or_a_real_backend_is_warned_about(tmp_path: Path) -> None:
    s = settings(tmp_path, signup={"mode": "open"})
    [warning] = messages(findings(s, "serve"), "warning")
    assert "public_url" in warning
    s = settings(
        tmp_path, recovery={"enabled": True}, service={"public_url": "https://c.example.org"}
    )
    [warning] = messages(findings(s, "serve"), "warning")
    assert 'backend = "console"' in warning


def test_sqlite_under_several_processes_is_warned_about(tmp_path: Path) -> None:
    s = settings(tmp_path, security={"secret_key": "y" * 48})
    [warning] = messages(findings(s, "manager"), "warning")
    assert "SQLite" in warning and "portico manager" in warning
