"""`[tool.tradeguard]`: discovery, validation with errors naming the key, and glob semantics."""

import re
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
        ("respect-gitignore = 'yes'", "tool.tradeguard.respect-gitignore"),
        ("baseline = 3", "tool.tradeguard.baseline"),
        ("baseline = ''", "tool.tradeguard.baseline"),
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


@pytest.mark.parametrize("document", ["tool = 1\n", "[tool]\ntradeguard = 'x'\n", "tool = [1]\n"])
def test_a_tool_table_of_the_wrong_type_is_a_config_error(tmp_path, document):
    path = write(tmp_path / "pyproject.toml", document)
    with pytest.raises(ConfigError, match="must be a table"):
        parse_config(path)


def test_every_field_is_part_of_the_fingerprint(tmp_path):
    """The fingerprint is derived from the fields: a key added later cannot leave stale cache results."""
    from dataclasses import fields, replace

    from lint_rules.config import Config

    base = Config(root=tmp_path)
    for item in fields(Config):
        if item.name in ("root", "source"):
            continue
        value = getattr(base, item.name)
        changed = (
            not value if isinstance(value, bool)
            else {**value, "x": {}} if isinstance(value, dict)
            else (*value, ("x", ("TG1",))) if item.name == "per_file_ignores"
            else (*value, "x")
        )
        assert replace(base, **{item.name: changed}).fingerprint() != base.fingerprint(), item.name
    # where the project lives is not what its rules report
    assert replace(base, root=tmp_path / "elsewhere").fingerprint() == base.fingerprint()


def test_gateway_classes_key(tmp_path):
    path = write(tmp_path / "pyproject.toml", "[tool.tradeguard]\ngateway-classes = ['ExecutorBase']\n")
    assert parse_config(path).gateway_classes == ("ExecutorBase",)
    bad = write(tmp_path / "bad" / "pyproject.toml", "[tool.tradeguard]\ngateway-classes = 'ExecutorBase'\n")
    with pytest.raises(ConfigError, match="gateway-classes"):
        parse_config(bad)


def test_the_real_code_benchmark_configs_and_labels_are_valid(tmp_path):
    """bench/realcode/: the configurations its owners would write parse, and every label row is
    complete (repo, path, line, code, true/false, reason)."""
    import csv

    from tests.conftest import REPO

    folder = REPO / "bench" / "realcode"
    configs = sorted(folder.glob("*.toml"))
    assert {path.stem for path in configs} >= {"hummingbot", "freqtrade", "nautilus_trader"}
    for path in configs:
        pyproject = write(tmp_path / path.stem / "pyproject.toml", path.read_text())
        assert parse_config(pyproject).connector_paths, path.name
    for path in folder.glob("labels_*.csv"):
        with path.open(newline="") as handle:
            for row in csv.DictReader(handle):
                assert row["label"] in ("true", "false") and row["reason"] and int(row["line"]) > 0, (path.name, row)
                assert re.fullmatch(r"TG\d{3}", row["code"]), (path.name, row)
