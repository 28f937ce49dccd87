"""`[tool.tradeguard]`: discovery, validation with errors naming the key, and glob semantics."""

from pathlib import Path

import pytest

from lint_rules.config import ConfigError, find_pyproject, glob_matches, load_config, parse_config
from lint_rules.files import iter_python_files


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_defaults_without_any_pyproject(in_tmp):
    config = load_config(in_tmp)
    assert config.order_methods == ("place_order",)
    assert config.select == ("TG",)
    assert config.source is None


def test_found_upward_from_a_checked_file(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.tradeguard]\norder-methods = ['send']\n")
    nested = write(tmp_path / "a" / "b" / "c.py", "")
    config = load_config(nested)
    assert config.root == tmp_path.resolve()
    assert config.order_methods == ("send",)


def test_pyproject_without_our_table_does_not_stop_the_search(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.tradeguard]\nignore = ['TG102']\n")
    write(tmp_path / "sub" / "pyproject.toml", "[project]\nname = 'x'\n")
    assert find_pyproject(tmp_path / "sub") == (tmp_path / "pyproject.toml").resolve()


def test_extend_order_methods_adds_to_the_list(tmp_path):
    path = write(tmp_path / "pyproject.toml", "[tool.tradeguard]\nextend-order-methods = ['submit_order']\n")
    assert parse_config(path).order_methods == ("place_order", "submit_order")


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("gateway-path = ['x']", "tool.tradeguard.gateway-path"),
        ("order-methods = 'place_order'", "tool.tradeguard.order-methods"),
        ("require-noqa-reason = 'yes'", "tool.tradeguard.require-noqa-reason"),
        ("select = ['E501']", "select"),
        ("[tool.tradeguard.per-file-ignores]\n'tests/**' = 'TG101'", "per-file-ignores"),
        ("exclude = [1, 2]", "tool.tradeguard.exclude"),
    ],
)
def test_bad_keys_and_types_are_errors_naming_the_key(tmp_path, body, named):
    path = write(tmp_path / "pyproject.toml", f"[tool.tradeguard]\n{body}\n")
    with pytest.raises(ConfigError) as error:
        parse_config(path)
    assert named in str(error.value)
    assert str(path) in str(error.value)


def test_invalid_toml_is_a_config_error(tmp_path):
    path = write(tmp_path / "pyproject.toml", "[tool.tradeguard\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        parse_config(path)


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        ("bot/connectors/oanda.py", "bot/connectors/**", True),
        ("bot/connectors/v2/oanda.py", "bot/connectors/**", True),
        ("bot/connectors/oanda.py", "bot/connectors/*.py", True),
        ("bot/connectors/v2/oanda.py", "bot/connectors/*.py", False),
        ("other/bot/connectors/oanda.py", "bot/connectors/**", False),
        ("tests/unit/test_x.py", "tests/**", True),
        ("pkg/tests/test_x.py", "tests", True),  # a bare name matches at any depth
        ("bot/execution/gateway.py", "bot/execution/gateway.py", True),
        ("bot/execution/gateway_test.py", "bot/execution/gateway.py", False),
        ("a/b/c/d.py", "**/c/*.py", True),
    ],
)
def test_glob_semantics(path, pattern, expected):
    assert glob_matches(path, pattern) is expected


def test_exclude_and_default_excludes_when_walking(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.tradeguard]\nexclude = ['archive/**']\n")
    for rel in ("bot/a.py", "archive/old.py", ".venv/lib/x.py", "node_modules/y.py", "bot/readme.md"):
        write(tmp_path / rel, "")
    config = load_config(tmp_path)
    files, missing = iter_python_files(config, [tmp_path, tmp_path / "nope"])
    assert [config.relative(path) for path in files] == ["bot/a.py"]
    assert missing == [str(tmp_path / "nope")]
