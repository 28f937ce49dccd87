"""Baselines in detect-secrets' ``.secrets.baseline`` format, read and written.

A baseline names each accepted secret by file and SHA-1 (``hashed_secret``), never by value.
tradeguard reads any detect-secrets baseline (older formats are upgraded with detect-secrets'
own upgrade steps) and honours its regex excludes (``--exclude-files``, ``--exclude-lines``,
``--exclude-secrets`` as detect-secrets stores them in ``filters_used``).

Matching is by (file, hash), not type, so a secret that detect-secrets recorded as a
"Hex High Entropy String" stays accepted when tradeguard names it an "OANDA v20 Token".
An entry audited ``is_secret: false`` stays silent; an unaudited entry is accepted, as in
detect-secrets' hook; an entry audited ``is_secret: true`` is a confirmed live credential and
keeps being reported until it is removed from the code.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hooks.secrets.results import Detection, ExcludePatterns, ScanError

VERSION = "1.5.0"  # the detect-secrets baseline format this writes
_REGEX_FILTERS = {
    "detect_secrets.filters.regex.should_exclude_file": "files",
    "detect_secrets.filters.regex.should_exclude_line": "lines",
    "detect_secrets.filters.regex.should_exclude_secret": "secrets",
}


class BaselineError(ScanError):
    """A baseline that cannot be used; the message is one line naming the file and the problem."""


@dataclass
class Baseline:
    path: str
    data: dict[str, Any]

    @classmethod
    def empty(cls, path: str) -> Baseline:
        return cls(path, {"version": VERSION, "plugins_used": _plugins_used(), "filters_used": [], "results": {}})

    @classmethod
    def load(cls, path: str) -> Baseline:
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except FileNotFoundError:
            raise BaselineError(f"baseline {path}: no such file (create it with --update-baseline)") from None
        except OSError as error:
            raise BaselineError(f"baseline {path}: cannot read: {error.strerror}") from None
        except UnicodeDecodeError:
            raise BaselineError(f"baseline {path}: not UTF-8 text") from None
        except json.JSONDecodeError as error:
            raise BaselineError(f"baseline {path}: not valid JSON (line {error.lineno}, column {error.colno})") from None
        _validate(path, data)
        return cls(path, _upgraded(path, data))

    @property
    def results(self) -> dict[str, list[dict[str, Any]]]:
        return self.data["results"]

    def exclude_patterns(self) -> ExcludePatterns:
        groups: dict[str, tuple[str, ...]] = {"files": (), "lines": (), "secrets": ()}
        for entry in self.data.get("filters_used", []):
            group = _REGEX_FILTERS.get(entry.get("path", ""))
            if group is not None:
                patterns = entry.get("pattern", [])
                groups[group] += tuple([patterns] if isinstance(patterns, str) else patterns)
        return ExcludePatterns(**groups)

    def silences(self, detection: Detection) -> bool:
        """Recorded for this file, and not confirmed real by any entry (detect-secrets may record
        one value under several types)."""
        entries = self.results.get(detection.path, ())
        labels = [entry.get("is_secret") for entry in entries if entry["hashed_secret"] == detection.secret_hash]
        return bool(labels) and True not in labels

    def update(self, detections: Iterable[Detection], scanned: Iterable[str], excludes: ExcludePatterns) -> bool:
        """Replace the entries of the scanned files with `detections`, keeping audit labels of
        secrets still present and entries of files not scanned (unless deleted). Returns
        whether anything changed."""
        before = json.dumps({key: self.data.get(key) for key in ("results", "filters_used")}, sort_keys=True)
        old = self.results
        scanned_paths = set(scanned)
        results: dict[str, list[dict[str, Any]]] = {
            path: entries for path, entries in old.items() if path not in scanned_paths and os.path.exists(path)
        }
        for detection in detections:
            entries = results.setdefault(detection.path, [])
            finding = detection.finding
            if any(e["hashed_secret"] == detection.secret_hash and e["type"] == finding.kind for e in entries):
                continue
            entry: dict[str, Any] = {
                "type": finding.kind,
                "filename": detection.path,
                "hashed_secret": detection.secret_hash,
                "is_verified": False,
                "line_number": finding.line,
            }
            for previous in old.get(detection.path, ()):
                if previous["hashed_secret"] == detection.secret_hash:
                    entry["is_verified"] = bool(previous.get("is_verified", False))
                    if "is_secret" in previous:
                        entry["is_secret"] = previous["is_secret"]
                    break
            entries.append(entry)
        for entries in results.values():
            entries.sort(key=lambda e: (e.get("line_number", 0), e["hashed_secret"], e["type"]))
        self.data["results"] = dict(sorted(results.items()))
        self.data["filters_used"] = _merge_excludes(self.data.get("filters_used", []), excludes)
        after = json.dumps({key: self.data.get(key) for key in ("results", "filters_used")}, sort_keys=True)
        if before != after:
            self.data["generated_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        return before != after

    def write(self) -> None:
        ordered = {key: self.data[key] for key in ("version", "plugins_used", "filters_used", "results") if key in self.data}
        ordered.update({key: value for key, value in self.data.items() if key not in ordered})
        temporary = f"{self.path}.tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(ordered, indent=2) + "\n")
        os.replace(temporary, self.path)


def _validate(path: str, data: Any) -> None:
    if not isinstance(data, dict):
        raise BaselineError(f"baseline {path}: expected a JSON object, found {type(data).__name__}")
    results = data.get("results")
    if not isinstance(results, dict):
        raise BaselineError(f"baseline {path}: 'results' must be an object of file names to lists")
    for filename, entries in results.items():
        if not isinstance(entries, list):
            raise BaselineError(f"baseline {path}: results[{filename!r}] must be a list")
        for index, entry in enumerate(entries):
            if not (isinstance(entry, dict) and all(isinstance(entry.get(key), str) for key in ("type", "hashed_secret"))):
                raise BaselineError(
                    f"baseline {path}: results[{filename!r}][{index}] needs string 'type' and 'hashed_secret'"
                )
    filters_used = data.get("filters_used", [])
    if not isinstance(filters_used, list) or not all(isinstance(entry, dict) for entry in filters_used):
        raise BaselineError(f"baseline {path}: 'filters_used' must be a list of objects")


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in text.split("."))


def _upgraded(path: str, data: dict[str, Any]) -> dict[str, Any]:
    """Bring an older detect-secrets baseline to the current format with detect-secrets' own steps."""
    if not isinstance(data.get("version"), str):
        raise BaselineError(f"baseline {path}: 'version' must be a string such as \"{VERSION}\"")
    if _version(data["version"]) >= _version(VERSION):
        return data
    from detect_secrets.core.baseline import upgrade

    try:
        return upgrade(data)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        problem = f"cannot upgrade from version {data['version']!r} ({type(error).__name__})"
        raise BaselineError(f"baseline {path}: {problem}") from None


def _merge_excludes(filters_used: list[dict[str, Any]], excludes: ExcludePatterns) -> list[dict[str, Any]]:
    kept = [entry for entry in filters_used if entry.get("path") not in _REGEX_FILTERS]
    for path, group in _REGEX_FILTERS.items():
        patterns = list(getattr(excludes, group))
        if patterns:
            kept.append({"path": path, "pattern": patterns})
    return sorted(kept, key=lambda entry: str(entry.get("path", "")).lower())


def _plugins_used() -> list[dict[str, str]]:
    """Our detectors, by the names of their detect-secrets plugin classes (`hooks.secrets.plugins`)."""
    from hooks.secrets.detectors import DETECTORS

    return sorted(({"name": detector.name} for detector in DETECTORS), key=lambda entry: entry["name"].lower())
