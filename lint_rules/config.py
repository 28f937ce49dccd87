"""`[tool.tradeguard]` in pyproject.toml: finding it, validating it, matching its globs."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path

DEFAULT_ORDER_METHODS = ("place_order",)
# Python, its stubs, and Cython (read by a token scan: see cython.py).
SOURCE_SUFFIXES = (".py", ".pyi", ".pyx", ".pxd")

# Folders no user wants checked; `exclude` adds to these.
DEFAULT_EXCLUDES = (
    ".git", ".hg", ".svn", ".venv", "venv", ".env", "env", ".tox", ".nox", "__pycache__",
    "node_modules", "build", "dist", "site-packages", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", ".tradeguard_cache", ".tradeguard", ".eggs",
)


# Where the config was found: moving a project does not change what its rules report.
_NOT_FINGERPRINTED = frozenset({"root", "source"})


class ConfigError(Exception):
    """A configuration problem the user must fix; the message names the file and key."""


@dataclass(frozen=True)
class Config:
    root: Path                      # folder holding pyproject.toml (or the working directory)
    source: Path | None = None      # the pyproject.toml read, if any
    gateway_paths: tuple[str, ...] = ()
    connector_paths: tuple[str, ...] = ()
    connector_bases: tuple[str, ...] = ("BaseConnector",)
    connector_methods: tuple[str, ...] = ()   # the connector interface, named where bases do not tell it
    gateway_classes: tuple[str, ...] = ()
    order_methods: tuple[str, ...] = DEFAULT_ORDER_METHODS
    select: tuple[str, ...] = ("TG",)
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    require_noqa_reason: bool = False
    respect_gitignore: bool = True  # files git ignores are not checked or scanned (as ruff)
    baseline: str = ""              # the baseline file, relative to the root ("": none)
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Sections other parts of tradeguard own (limits, live); kept verbatim for them.
    sections: dict = field(default_factory=dict, compare=False, hash=False)

    def relative(self, path: Path) -> str:
        """``path`` relative to the config root, with ``/`` (absolute if outside it)."""
        if path.is_absolute():  # walked paths are already resolved: skip the syscalls
            try:
                return path.relative_to(self.root).as_posix()
            except ValueError:
                pass
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return path.resolve().as_posix()

    def is_code_enabled(self, code: str) -> bool:
        return code_matches(code, self.select) and not code_matches(code, self.ignore)

    def is_excluded(self, rel_path: str) -> bool:
        return matches_any(rel_path, self.exclude)

    def ignored_codes(self, rel_path: str) -> tuple[str, ...]:
        codes: list[str] = []
        for pattern, pattern_codes in self.per_file_ignores:
            if glob_matches(rel_path, pattern):
                codes.extend(pattern_codes)
        return tuple(codes)

    def is_gateway_path(self, rel_path: str) -> bool:
        return matches_any(rel_path, self.gateway_paths)

    def is_connector_path(self, rel_path: str) -> bool:
        return matches_any(rel_path, self.connector_paths)

    @property
    def baseline_path(self) -> Path | None:
        return self.root / self.baseline if self.baseline else None

    def fingerprint(self) -> str:
        """A hash of every field that changes what the rules report, for the result cache.

        Derived from the dataclass's fields, so a new key is part of it without a second list;
        only where the config was found (``root``, ``source``) is left out."""
        data = {
            item.name: getattr(self, item.name)
            for item in fields(self)
            if item.name not in _NOT_FINGERPRINTED
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def code_matches(code: str, prefixes: tuple[str, ...]) -> bool:
    return any(code.startswith(prefix) for prefix in prefixes)


@lru_cache(maxsize=512)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob where ``**`` spans folders and ``*`` stays inside one, as ruff and git read them.

    A pattern without ``/`` matches a name at any depth (``tests`` excludes every ``tests`` folder);
    a pattern naming a folder also matches everything below it.
    """
    pattern = pattern.strip().removeprefix("./")
    anchored = "/" in pattern.rstrip("/")
    parts: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            parts.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            parts.append(".*")
            i += 2
        elif pattern[i] == "*":
            parts.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            parts.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                parts.append(re.escape(pattern[i]))
                i += 1
            else:
                parts.append(fnmatch.translate(pattern[i : end + 1])[4:-3])
                i = end + 1
        else:
            parts.append(re.escape(pattern[i]))
            i += 1
    body = "".join(parts).rstrip("/")
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(f"{prefix}{body}(?:/.*)?")


def glob_matches(rel_path: str, pattern: str) -> bool:
    return _glob_regex(pattern).fullmatch(rel_path) is not None


def matches_any(rel_path: str, patterns: tuple[str, ...]) -> bool:
    return bool(patterns) and _any_glob_regex(tuple(patterns)).fullmatch(rel_path) is not None


@lru_cache(maxsize=64)
def _any_glob_regex(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a set of globs: listing a project asks this of every file and folder."""
    return re.compile("|".join(f"(?:{_glob_regex(pattern).pattern})" for pattern in patterns))


# key -> (Config field, expected type); types are checked so a typo'd value fails loudly.
_LIST_KEYS = {
    "gateway-paths": "gateway_paths",
    "connector-paths": "connector_paths",
    "connector-bases": "connector_bases",
    "connector-methods": "connector_methods",
    "gateway-classes": "gateway_classes",
    "order-methods": "order_methods",
    "extend-order-methods": None,
    "select": "select",
    "ignore": "ignore",
    "exclude": "exclude",
}
_BOOL_KEYS = {"require-noqa-reason": "require_noqa_reason", "respect-gitignore": "respect_gitignore"}
_TABLE_KEYS = {"per-file-ignores"}
# Tables other modules own and validate: the runtime (limits, live) and the fixer (fix).
_OTHER_SECTIONS = {"limits", "live", "fix"}
_KNOWN_KEYS = (*_LIST_KEYS, *_BOOL_KEYS, "baseline", *_TABLE_KEYS, *_OTHER_SECTIONS)


def _closest(name: str, known) -> str:
    """``; did you mean X?`` for the known name closest to a misspelt one (as ruff suggests)."""
    import difflib

    match = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.5)
    return f"; did you mean {match[0]}?" if match else ""


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml holding ``[tool.tradeguard]``, from ``start`` upward.

    Like ruff, a pyproject.toml without our table does not stop the search, except that the
    search ends at the first one found if none above it has our table.
    """
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    first_found: Path | None = None
    for candidate_dir in (folder, *folder.parents):
        candidate = candidate_dir / "pyproject.toml"
        if candidate.is_file():
            first_found = first_found or candidate
            try:
                if b"[tool.tradeguard" in candidate.read_bytes():
                    return candidate
            except OSError as error:
                raise ConfigError(f"{candidate}: cannot read: {error.strerror}") from None
    return first_found


def load_config(start: Path | None = None) -> Config:
    """The config that governs ``start`` (a file or folder; default the working directory)."""
    pyproject = find_pyproject(start or Path.cwd())
    if pyproject is None:
        return Config(root=Path.cwd().resolve())
    return parse_config(pyproject)


def parse_config(pyproject: Path) -> Config:
    where = str(pyproject)
    try:
        document = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{where}: cannot read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{where}: invalid TOML: {error}") from None
    tool = document.get("tool", {})
    table = tool.get("tradeguard", {}) if isinstance(tool, dict) else None
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [tool.tradeguard] must be a table")
    values: dict = {"root": pyproject.parent.resolve(), "source": pyproject.resolve()}
    extend_methods: tuple[str, ...] = ()
    sections: dict = {}
    for key, value in table.items():
        if key in _LIST_KEYS:
            items = _string_list(where, key, value)
            if _LIST_KEYS[key] is None:
                extend_methods = items
            else:
                values[_LIST_KEYS[key]] = items
        elif key in _BOOL_KEYS:
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: tool.tradeguard.{key} must be true or false, got {value!r}")
            values[_BOOL_KEYS[key]] = value
        elif key == "baseline":
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{where}: tool.tradeguard.baseline must be a file name, got {value!r}")
            values["baseline"] = value
        elif key in _TABLE_KEYS:
            values["per_file_ignores"] = _per_file_ignores(where, value)
        elif key in _OTHER_SECTIONS:
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: tool.tradeguard.{key} must be a table")
            sections[key] = value
        else:
            raise ConfigError(f"{where}: unknown key tool.tradeguard.{key}{_closest(key, _KNOWN_KEYS)}")
    values["order_methods"] = tuple(values.get("order_methods", DEFAULT_ORDER_METHODS)) + extend_methods
    for key in ("select", "ignore"):
        for code in values.get(key, ()):
            _check_code(where, key, code)
    return Config(**values, sections=sections)


def _string_list(where: str, key: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: tool.tradeguard.{key} must be a list of strings, got {value!r}")
    return tuple(value)


def _per_file_ignores(where: str, value: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: tool.tradeguard.per-file-ignores must be a table of glob = [codes]")
    entries = []
    for pattern, codes in value.items():
        codes = _string_list(where, f"per-file-ignores.{pattern!r}", codes)
        for code in codes:
            _check_code(where, f"per-file-ignores.{pattern!r}", code)
        entries.append((pattern, codes))
    return tuple(entries)


_CODE = re.compile(r"TG\d{0,3}")


def code_problem(code: str) -> str | None:
    """Why ``code`` is neither a tradeguard code nor a prefix of one (naming the closest code),
    or None when it is one: a typo in ``select`` or ``ignore`` must not silently check nothing."""
    from lint_rules.rules import known_codes

    codes = known_codes()
    if _CODE.fullmatch(code) and any(known.startswith(code) for known in codes):
        return None
    import difflib

    nearest = max(codes, key=lambda known: difflib.SequenceMatcher(None, code.upper(), known).ratio())
    return f"unknown code {code!r}; did you mean {nearest}? (`tradeguard rule --all` lists the codes)"


def _check_code(where: str, key: str, code: str) -> None:
    problem = code_problem(code)
    if problem:
        raise ConfigError(f"{where}: tool.tradeguard.{key}: {problem}")


def with_overrides(
    config: Config, select: tuple[str, ...] | None, ignore: tuple[str, ...] | None, extend_exclude: tuple[str, ...] = (),
) -> Config:
    """The config with command-line ``--select`` / ``--ignore`` / ``--extend-exclude`` applied
    (the first replaces, the others extend)."""
    from dataclasses import replace

    for code in (*(select or ()), *(ignore or ())):
        problem = code_problem(code)
        if problem:
            raise ConfigError(f"--select/--ignore: {problem}")
    return replace(
        config,
        select=select if select else config.select,
        ignore=config.ignore + tuple(ignore or ()),
        exclude=config.exclude + tuple(extend_exclude),
    )


def is_default_excluded(name: str) -> bool:
    return name in DEFAULT_EXCLUDES or name.endswith(".egg-info")
