"""The engine over real files: bad input, suppressions, newer syntax, the index, caches, workers."""

from pathlib import Path

import pytest

from lint_rules import runner
from lint_rules.runner import check_paths

ORDER_CALL = "def go(broker):\n    return broker.place_order('EUR_USD', 1)\n"


def project(root: Path, files: dict, config: str = "") -> Path:
    (root / "pyproject.toml").write_text(f"[tool.tradeguard]\n{config}\n")
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def codes_by_file(result) -> dict:
    found: dict = {}
    for finding in result.findings:
        found.setdefault(Path(finding.path).name, []).append(finding.code)
    return found


def test_each_kind_of_bad_file_is_one_tg000_and_the_rest_is_still_checked(in_tmp):
    project(in_tmp, {
        "syntax.py": "def f(:\n    pass\n",
        "latin.py": b"x = '\xff'\n",
        "binary.py": b"\x00\x01\x02ELF",
        "huge.py": "x = 1\n" * 400_000,
        "good.py": ORDER_CALL,
    })
    result = check_paths([in_tmp], use_cache=False)
    assert codes_by_file(result) == {
        "binary.py": ["TG000"], "good.py": ["TG101"], "huge.py": ["TG000"], "latin.py": ["TG000"], "syntax.py": ["TG000"],
    }
    messages = {Path(f.path).name: f.message for f in result.findings}
    assert "syntax error" in messages["syntax.py"] and "invalid syntax" in messages["syntax.py"]
    assert "not valid utf-8" in messages["latin.py"] and "line 1" in messages["latin.py"]
    assert "binary" in messages["binary.py"]
    assert "too large" in messages["huge.py"]
    syntax = next(f for f in result.findings if f.path.endswith("syntax.py"))
    assert (syntax.line, syntax.column) == (1, 7)


def test_declared_latin1_encoding_is_honoured(in_tmp):
    project(in_tmp, {"legacy.py": b"# -*- coding: latin-1 -*-\nname = '\xe9'\nbroker.place_order(1)\n"})
    result = check_paths([in_tmp], use_cache=False)
    assert [(f.code, f.line) for f in result.findings] == [("TG101", 3)]


def test_newer_syntax_is_parsed_by_libcst_not_dropped(in_tmp):
    # 3.12 syntax the 3.11 `ast` rejects: the file must still be checked, and not reported as broken.
    project(in_tmp, {
        "pep695.py": "def first[T](items: list[T]) -> T:\n    return items[0]\n",
        "fstring.py": 'label = f"{order["id"]}"\nbroker.place_order(order)\n',
    })
    result = check_paths([in_tmp], use_cache=False)
    assert [(Path(f.path).name, f.code, f.line) for f in result.findings] == [("fstring.py", "TG101", 2)]


@pytest.mark.parametrize(
    ("comment", "silenced"),
    [
        ("# noqa: TG101 -- paper replay only", True),
        ("# noqa: TG101", True),
        ("# noqa:TG102,TG101", True),
        ("# noqa", False),
        ("# noqa: TG102", False),
        ("# noqa: TG1", False),
    ],
)
def test_noqa_matches_exact_codes_only(in_tmp, comment, silenced):
    project(in_tmp, {"s.py": f"broker.place_order(1)  {comment}\n"})
    codes = [f.code for f in check_paths([in_tmp], use_cache=False).findings]
    assert codes == ([] if silenced else ["TG101"])


def test_require_noqa_reason_reports_tg001(in_tmp):
    project(in_tmp, {"s.py": "a.place_order(1)  # noqa: TG101\nb.place_order(2)  # noqa: TG101 -- reviewed\n"},
            "require-noqa-reason = true")
    findings = check_paths([in_tmp], use_cache=False).findings
    assert [(f.code, f.line) for f in findings] == [("TG001", 1)]


def test_per_file_ignores_and_select_ignore(in_tmp):
    project(in_tmp, {"tests/test_s.py": ORDER_CALL, "bot/s.py": ORDER_CALL + "cb = broker.place_order\n"},
            '[tool.tradeguard.per-file-ignores]\n"tests/**" = ["TG101"]')
    assert codes_by_file(check_paths([in_tmp], use_cache=False)) == {"s.py": ["TG101", "TG102"]}
    assert codes_by_file(check_paths([in_tmp], ignore=("TG102",), use_cache=False)) == {"s.py": ["TG101"]}
    assert codes_by_file(check_paths([in_tmp], select=("TG102",), use_cache=False)) == {"s.py": ["TG102"]}


def test_connector_subclass_in_another_file_is_known_in_a_single_file_run(in_tmp):
    project(in_tmp, {
        "bot/base.py": "class BaseConnector:\n    pass\n",
        "bot/venues.py": "from bot.base import BaseConnector\n\nclass Venue(BaseConnector):\n    pass\n",
        "bot/paper.py": "from bot.venues import Venue\n\nclass Paper(Venue):\n"
                        "    def place_order(self, **o):\n        return super().place_order(**o)\n",
    })
    # Checking one file alone still sees the two-step inheritance through the project index.
    assert check_paths([in_tmp / "bot" / "paper.py"]).findings == []


def test_files_without_tokens_are_never_parsed(in_tmp, monkeypatch):
    project(in_tmp, {f"m{i}.py": "x = 1\n" for i in range(5)} | {"s.py": ORDER_CALL})
    parsed = []
    real_parse = runner.engine.parse
    monkeypatch.setattr(runner.engine, "parse", lambda text: parsed.append(text) or real_parse(text))
    check_paths([in_tmp], use_cache=False)
    assert parsed == [ORDER_CALL]


def test_warm_run_reuses_cached_results_and_sees_edits(in_tmp, monkeypatch):
    project(in_tmp, {"s.py": ORDER_CALL, "t.py": ORDER_CALL})
    first = check_paths([in_tmp]).findings
    parsed = []
    real_parse = runner.engine.parse
    monkeypatch.setattr(runner.engine, "parse", lambda text: parsed.append(text) or real_parse(text))
    assert check_paths([in_tmp]).findings == first and parsed == []
    (in_tmp / "t.py").write_text("x = 1\n\n" + ORDER_CALL)
    findings = check_paths([in_tmp]).findings
    assert [(Path(f.path).name, f.line) for f in findings] == [("s.py", 2), ("t.py", 4)]
    assert any(path.name.startswith("results") for path in (in_tmp / ".tradeguard_cache").iterdir())


def test_summaries_are_decoded_from_the_cache_only_when_a_check_reads_them(in_tmp, monkeypatch):
    paper = "from bot.venues import Venue\n\nclass Paper(Venue):\n    def place_order(self, **o):\n        return super().place_order(**o)\n"
    project(in_tmp, {
        "bot/base.py": "class BaseConnector:\n    pass\n",
        "bot/venues.py": "from bot.base import BaseConnector\n\nclass Venue(BaseConnector):\n    pass\n",
        "bot/paper.py": paper,
        "s.py": ORDER_CALL,
    })
    assert codes_by_file(check_paths([in_tmp])) == {"s.py": ["TG101"]}
    decoded = []
    real_unpack = runner.unpack
    monkeypatch.setattr(runner, "unpack", lambda data: decoded.append(data) or real_unpack(data))
    assert codes_by_file(check_paths([in_tmp])) == {"s.py": ["TG101"]} and decoded == []
    # Edited, paper.py is checked again: that Venue is a connector comes from the cached summaries.
    (in_tmp / "bot/paper.py").write_text(paper + "\n")
    assert check_paths([in_tmp / "bot/paper.py"]).findings == [] and decoded


def test_files_hashed_again_only_because_they_just_changed_do_not_rewrite_the_index(in_tmp):
    """Written a moment ago, a file's stat is not trusted yet (an edit in the same clock tick could
    hide): it is hashed again on every run, and found the same, the index is left as it is."""
    project(in_tmp, {"s.py": ORDER_CALL, "t.py": "x = 1\n"})
    check_paths([in_tmp])
    [index] = (in_tmp / ".tradeguard_cache").glob("index-*.bin")
    written = (index.stat().st_ino, index.stat().st_mtime_ns)   # a rewrite replaces the file
    assert [f.code for f in check_paths([in_tmp]).findings] == ["TG101"]
    assert (index.stat().st_ino, index.stat().st_mtime_ns) == written
    (in_tmp / "t.py").write_text(ORDER_CALL)
    assert [f.code for f in check_paths([in_tmp]).findings] == ["TG101", "TG101"]
    assert (index.stat().st_ino, index.stat().st_mtime_ns) != written


def test_corrupt_cache_is_ignored(in_tmp):
    project(in_tmp, {"s.py": ORDER_CALL})
    check_paths([in_tmp])
    for path in (in_tmp / ".tradeguard_cache").glob("*.bin"):
        path.write_bytes(b"\x00garbage")
    assert [f.code for f in check_paths([in_tmp]).findings] == ["TG101"]


def test_parallel_workers_give_the_same_findings_as_one_process(in_tmp):
    files = {f"s{i:02}.py": ("x = 1\n" * i) + ORDER_CALL for i in range(24)}
    files["bad.py"] = "def f(:\n"
    project(in_tmp, files)
    parallel = check_paths([in_tmp], use_cache=False, jobs=2).findings
    serial = check_paths([in_tmp], use_cache=False, jobs=1).findings
    assert parallel == serial
    assert len(parallel) == 25


def test_absurdly_nested_code_is_tg000_not_a_crash(in_tmp):
    deep = "x = " + " + ".join(["1"] * 3000) + "  # live\nbroker.place_order(x)\n"
    project(in_tmp, {"deep.py": deep, "s.py": ORDER_CALL})
    result = check_paths([in_tmp], use_cache=False)
    assert codes_by_file(result) == {"deep.py": ["TG000"], "s.py": ["TG101"]}
    assert "too deeply nested" in next(f.message for f in result.findings if f.code == "TG000")


def test_a_crashing_rule_costs_one_tg000_not_the_run(in_tmp, monkeypatch):
    from lint_rules.rules.tg101_order_call import OrderMethodCall

    def broken(self, node):
        raise ValueError("secret-looking text that must not be shown")

    monkeypatch.setattr(OrderMethodCall, "visit_Call", broken)
    project(in_tmp, {"a.py": ORDER_CALL, "b.py": "cb = broker.place_order\n"})
    result = check_paths([in_tmp], use_cache=False, jobs=1)
    messages = [(Path(f.path).name, f.code, f.message) for f in result.findings]
    assert ("a.py", "TG000", "file could not be checked: internal error (ValueError); please report it with this file's shape") in messages
    assert all("secret-looking" not in message for _, _, message in messages)


def test_the_collector_passes_seldom_during_a_run_and_at_its_own_pace_after(in_tmp, monkeypatch):
    project(in_tmp, {"a.py": ORDER_CALL})
    import gc

    seen = []
    summarize = runner._summarize_file
    monkeypatch.setattr(runner, "_summarize_file", lambda job: seen.append(gc.get_threshold()[0]) or summarize(job))
    before = gc.get_threshold()
    assert codes_by_file(check_paths([in_tmp], use_cache=False)) == {"a.py": ["TG101"]}
    assert seen == [runner.GC_THRESHOLD]
    assert gc.get_threshold() == before
