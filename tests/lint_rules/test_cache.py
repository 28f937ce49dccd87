"""The result cache: authenticated, keyed by content, invalidated by the index facts a file read."""

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from lint_rules.cache import CACHE_DIR_NAME, CacheFile
from lint_rules.runner import Project, check_paths
from tests.conftest import run_cli

ORDER_CALL = "def go(broker):\n    return broker.place_order('EUR_USD', 1)\n"
CLEAN_SAME_SIZE = "def go(broker):\n    return broker.send_orders('EUR_USD', 1)\n"


@pytest.fixture(autouse=True)
def own_key(tmp_path, monkeypatch):
    """This user's cache key, outside the project."""
    key = tmp_path / "home-cache" / "key"
    monkeypatch.setenv("TRADEGUARD_CACHE_KEY_FILE", str(key))
    return key


def git(folder, *args):
    subprocess.run(["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
                   check=True, capture_output=True)


def test_a_committed_poisoned_cache_does_not_make_a_fresh_clone_pass(tmp_path, own_key):
    """The attack: findings emptied in the cache, the cache committed with `git add -f`."""
    origin = tmp_path / "origin"
    origin.mkdir()
    (origin / "pyproject.toml").write_text("[tool.tradeguard]\n")
    (origin / "bot.py").write_text(ORDER_CALL)
    attacker = {"TRADEGUARD_CACHE_KEY_FILE": str(tmp_path / "attacker-key")}
    assert run_cli("check", ".", cwd=origin, env=attacker).returncode == 1
    os.environ["TRADEGUARD_CACHE_KEY_FILE"] = attacker["TRADEGUARD_CACHE_KEY_FILE"]
    results = CacheFile(origin, "results")
    poisoned = {rel: [entry[0], [], *entry[2:]] if isinstance(entry, list) else entry
                for rel, entry in results.load().items()}
    results.save(poisoned)
    os.environ["TRADEGUARD_CACHE_KEY_FILE"] = str(own_key)
    assert (origin / CACHE_DIR_NAME / ".gitignore").read_text().splitlines()[-1] == "*"
    git(origin, "init", "-q")
    git(origin, "add", "-f", ".")
    git(origin, "commit", "-qm", "poison")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    assert run_cli("check", ".", cwd=clone, env=attacker).returncode == 0  # the poison works under its own key
    done = run_cli("check", ".", cwd=clone)
    assert done.returncode == 1 and "TG101" in done.stdout
    assert "ignoring .tradeguard_cache/results-" in done.stderr and "committed or copied" in done.stderr


def test_a_same_size_edit_with_its_mtime_restored_is_seen(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.tradeguard]\n")
    bot = tmp_path / "bot.py"
    bot.write_text(CLEAN_SAME_SIZE)
    time.sleep(2.1)  # old enough for the cache to trust its stat (see runner.RACY_SECONDS)
    assert check_paths([tmp_path]).findings == []
    before = bot.stat()
    bot.write_text(ORDER_CALL)
    os.utime(bot, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert bot.stat().st_size == before.st_size and bot.stat().st_mtime_ns == before.st_mtime_ns
    assert [f.code for f in check_paths([tmp_path]).findings] == ["TG101"]


def test_cache_files_of_any_content_are_ignored_not_fatal(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.tradeguard]\n")
    (tmp_path / "bot.py").write_text(ORDER_CALL)
    check_paths([tmp_path])
    folder = tmp_path / CACHE_DIR_NAME
    for contents in (b"", b"TGC1", b"garbage" * 100, os.urandom(5000)):
        for cache in folder.glob("*.bin"):
            cache.write_bytes(contents)
        assert [f.code for f in check_paths([tmp_path]).findings] == ["TG101"]
    # Authentic files of another shape (a future format, a bug): still just a cache miss.
    for name, document in (("index", {"summary_version": None, "files": {"bot.py": 5}}),
                           ("index", {"files": []}), ("results", {"bot.py": "x"}), ("results", {"bot.py": [1, 2, 3]})):
        CacheFile(tmp_path, name).save(document)
        assert [f.code for f in check_paths([tmp_path]).findings] == ["TG101"]


def test_a_key_others_may_write_is_not_trusted(tmp_path, own_key):
    (tmp_path / "pyproject.toml").write_text("[tool.tradeguard]\n")
    (tmp_path / "bot.py").write_text(ORDER_CALL)
    check_paths([tmp_path])
    assert own_key.stat().st_mode & 0o777 == 0o600
    own_key.chmod(0o666)
    import lint_rules.cache as cache_module

    cache_module._keys.clear()
    cache = CacheFile(tmp_path, "results")
    assert cache.load() == {}  # no key: no cache at all, rather than a forgeable one
    own_key.chmod(0o600)
    cache_module._keys.clear()
    assert cache.load() != {}


def index_project(root: Path) -> Path:
    (root / "pyproject.toml").write_text('[tool.tradeguard]\nconnector-bases = ["BaseConnector"]\n')
    (root / "base.py").write_text("class BaseConnector:\n    def place_order(self, **order):\n        raise NotImplementedError\n")
    (root / "results.py").write_text("def done(data):\n    return {'success': True, 'error': None, 'data': data}\n")
    (root / "oanda.py").write_text(
        "from base import BaseConnector\nfrom results import done\n\n"
        "class Oanda(BaseConnector):\n    def place_order(self, **order):\n        return done(order)\n"
    )
    for number in range(5):
        (root / f"strategy_{number}.py").write_text(f"def signal_{number}(bars):\n    return bars[-1] > bars[0]\n")
    return root


def rechecked(root: Path, monkeypatch) -> set[str]:
    """The files whose cached result was not used: checked again."""
    seen: set[str] = set()
    original = Project.still_valid

    def recording(self, hit, key, answers, rel, *args):
        found = original(self, hit, key, answers, rel, *args)
        if found is None:
            seen.add(rel)
        return found

    monkeypatch.setattr(Project, "still_valid", recording)
    result = check_paths([root], jobs=1)
    monkeypatch.setattr(Project, "still_valid", original)
    return seen, sorted((Path(f.path).name, f.code) for f in result.findings)


def test_adding_a_module_rechecks_only_the_files_whose_facts_it_changes(tmp_path, monkeypatch):
    root = index_project(tmp_path)
    first, findings = rechecked(root, monkeypatch)
    assert first == {"base.py", "results.py", "oanda.py", *(f"strategy_{n}.py" for n in range(5))} and findings == []
    assert rechecked(root, monkeypatch) == (set(), [])
    (root / "helpers.py").write_text("def double(value):\n    return value * 2\n")
    assert rechecked(root, monkeypatch) == ({"helpers.py"}, [])
    # A fact the connector's check read changes in another file: it is checked again, and now fails.
    (root / "results.py").write_text("def done(data):\n    return data\n")
    assert check_paths([root / "results.py"]).findings == []  # a one-file run first (pre-commit)
    again, findings = rechecked(root, monkeypatch)
    assert "oanda.py" in again and not again & {f"strategy_{n}.py" for n in range(5)}
    assert findings == [("oanda.py", "TG201")]


def test_a_recorded_look_up_with_keywords_is_asked_again_alike(tmp_path):
    from lint_rules.facts import Answers, RecordingIndex
    from lint_rules.index import ProjectIndex

    index = ProjectIndex(("BaseConnector",), {"a.py": {"classes": [{"name": "A", "bases": [], "methods": ["m"]}]}})
    recording = RecordingIndex(index)
    recording.find_method("a.py", "A", "m", inherited_only=False)
    assert Answers(index).unchanged(recording.asked)
    index.summaries["a.py"]["classes"][0]["methods"] = []
    assert not Answers(index).unchanged(recording.asked)


def test_a_question_many_files_ask_is_fingerprinted_once_per_run(monkeypatch):
    from lint_rules import facts
    from lint_rules.index import ProjectIndex

    summary = {"classes": [{"name": "A", "bases": ["B"] * 50, "methods": ["m"] * 50}]}
    index = ProjectIndex(("BaseConnector",), {"a.py": summary})
    fingerprinted = []
    real = facts.fingerprint
    monkeypatch.setattr(facts, "fingerprint", lambda value: fingerprinted.append(value) or real(value))
    files = [facts.RecordingIndex(index) for _ in range(3)]
    for recording in files:
        recording.summaries.get("a.py")
        recording.ancestors(["B"])
    assert len(fingerprinted) == 2
    assert files[0].asked == files[1].asked == files[2].asked
    assert files[0].asked[("entry", "summaries", ("a.py",))] == real(summary)
