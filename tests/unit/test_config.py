from pathlib import Path

import pytest

from portico.config import ConfigError, load_settings

SAMPLE = Path(__file__).resolve().parents[2] / "portico.sample.toml"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("PORTICO_"):
            monkeypatch.delenv(name)


def test_defaults_follow_the_design() -> None:
    s = load_settings()
    assert s.service.port == 8090
    assert s.manager.port == 8081
    assert s.session.max_age == 604800
    assert s.session.login_allowed_fail_count == 10
    assert s.session.login_block_time == 1200
    assert s.auth.bcrypt_rounds == 12
    assert s.auth.password_policy == "backendai"
    assert s.signup.mode == "closed"
    assert s.recovery.enabled is False
    assert s.database_url.startswith("sqlite+aiosqlite:///")


def test_file_then_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "portico.toml"
    path.write_text("[service]\nport = 9000\n[session]\nlogin_block_time = 60\n")
    monkeypatch.setenv("PORTICO_SERVICE__PORT", "8095")
    s = load_settings(path)
    assert s.service.port == 8095  # the environment wins
    assert s.session.login_block_time == 60  # the file's value stays


def test_the_shipped_sample_is_complete_and_valid() -> None:
    import tomllib

    from portico.config import Settings

    data = tomllib.loads(SAMPLE.read_text())
    load_settings(SAMPLE)
    for section, field in Settings.model_fields.items():
        model = field.annotation
        assert section in data, f"sample lacks [{section}]"
        for key in model.model_fields:  # type: ignore[union-attr]
            assert key in data[section], f"sample lacks {section}.{key}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[session]\nbogus = 1\n", "config: unknown key 'session.bogus'"),
        ("[nosuch]\nx = 1\n", "config: unknown key 'nosuch'"),
        ("[service]\nport = 'abc'\n", "config: bad value for 'service.port'"),
        ("[signup]\nmode = 'sometimes'\n", "config: bad value for 'signup.mode'"),
        ("[service\n", "is not valid TOML"),
    ],
)
def test_a_bad_file_names_the_problem_in_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_a_mistyped_environment_variable_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTICO_SESION__MAX_AGE", "10")
    with pytest.raises(ConfigError, match="PORTICO_SESION__MAX_AGE"):
        load_settings()
    monkeypatch.delenv("PORTICO_SESION__MAX_AGE")
    monkeypatch.setenv("PORTICO_SESSION__MAX_AGES", "10")
    with pytest.raises(ConfigError, match="PORTICO_SESSION__MAX_AGES"):
        load_settings()


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml")


def test_relative_paths_in_the_file_are_read_from_its_folder(tmp_path: Path) -> None:
    config = tmp_path / "conf" / "portico.toml"
    config.parent.mkdir()
    config.write_text(
        '[general]\ndata_dir = "data"\n[service]\nstatic_path = "../ui"\n'
        '[consent]\nterms_path = "/abs/terms.{lang}.html"\nprivacy_path = "docs/privacy.html"\n'
    )
    s = load_settings(config)
    assert s.general.data_dir == tmp_path / "conf" / "data"
    assert s.service.static_path == str(tmp_path / "conf" / "../ui")
    assert s.consent.terms_path == "/abs/terms.{lang}.html"
    assert s.consent.privacy_path == str(tmp_path / "conf" / "docs" / "privacy.html")


def test_without_a_file_the_data_folder_does_not_depend_on_the_current_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.chdir(tmp_path)
    assert load_settings().general.data_dir == tmp_path / "share" / "portico"


def test_the_configuration_file_is_found_the_same_way_everywhere(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from portico.config import find_config

    monkeypatch.delenv("PORTICO_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert find_config(tmp_path / "given.toml") == tmp_path / "given.toml"
    home_file = tmp_path / "xdg" / "portico" / "portico.toml"
    home_file.parent.mkdir(parents=True)
    home_file.write_text("")
    assert find_config() == home_file
    monkeypatch.setenv("PORTICO_CONFIG", str(tmp_path / "named.toml"))
    assert find_config() == tmp_path / "named.toml"
    monkeypatch.setenv("PORTICO_CONFIG", "")
    assert find_config() is None
