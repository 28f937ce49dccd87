"""Adopting tradeguard on a copy of the violating example exactly as the README's "Adoption"
section says: its shell lines run one by one with bash, its TOML goes into the project's
``[tool.tradeguard]``, its YAML becomes ``.pre-commit-config.yaml``; the only edit is the one the
README asks for, the address of the team's copy of tradeguard (``tradeguard_copy``). The one line
not run is ``pip install ../tradeguard``: this environment already has this checkout installed
(and a fresh virtualenv would cost more than the whole test).

Then, as a developer's day goes: a commit touching a file with baselined findings passes, a new
violation is blocked with only its own findings printed (each once), and flake8 shows only it.
"""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from tests.hooks.conftest import TAG, git, git_identity, readme_section, tool_env

TEMPLATE_REPO = "https://github.com/YOUR-ORG/tradeguard"
NOT_RUN = ("pip install ",)
# Lines that look at today's findings: they exit 1 while there are some, as documented.
REPORTING = ("tradeguard check --statistics", "tradeguard secrets  ", "tradeguard secrets\t")
FINDING = re.compile(r"^\S+:\d+:\d+: TG\d{3} ", re.M)
NEW_FINDINGS = ["bot/strategies/rogue.py:1:16: TG301 ", "bot/strategies/rogue.py:5:12: TG101 "]
NEW_VIOLATION = "def rebalance(broker):\n    return broker.place_order('EUR_USD', 'SELL', 500)\n"


def adoption_steps() -> list[tuple[str, str]]:
    """(language, body) of every code block of steps 1 to 5, in order."""
    section = readme_section("## Adoption (ten minutes)")
    steps = section[: section.index("\n### 6. CI")]
    steps = re.sub(r"\n### Pinning\n.*?(?=\n### )", "\n", steps, flags=re.S)  # the team's copy is tagged already
    return re.findall(r"^```(\w+)\n(.*?)^```", steps, re.M | re.S)


class Adopter:
    """A developer following the README in their repository."""

    def __init__(self, root: Path, copy: Path, home: Path) -> None:
        self.root, self.copy = root, copy
        self.env = tool_env(PRE_COMMIT_HOME=str(home))
        self.flake8_command: str | None = None

    def run(self, language: str, body: str) -> None:
        {"sh": self.shell, "toml": self.configure, "yaml": self.pre_commit_config}[language](body)

    def shell(self, body: str) -> None:
        for line in filter(str.strip, body.splitlines()):
            command = line.replace(TEMPLATE_REPO, str(self.copy))
            if command.startswith(NOT_RUN):
                continue
            if command.startswith("flake8 "):
                self.flake8_command = command  # run at the end of the day, below
            done = self.bash(command)
            allowed = (0, 1) if command.startswith(REPORTING) or command.startswith("flake8 ") else (0,)
            assert done.returncode in allowed, f"{command}\n{done.stdout}{done.stderr}"

    def bash(self, command: str) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", "-e", "-c", command], cwd=self.root, env=self.env, capture_output=True, text=True, timeout=300)

    def configure(self, body: str) -> None:
        """The README's keys in the project's [tool.tradeguard]: added, or already as the README says."""
        pyproject = self.root / "pyproject.toml"
        wanted = tomllib.loads(body)["tool"]["tradeguard"]
        present = tomllib.loads(pyproject.read_text())["tool"]["tradeguard"]
        added = "".join(f"{key} = {value!r}\n".replace("'", '"') for key, value in wanted.items() if key not in present)
        assert all(present[key] == value for key, value in wanted.items() if key in present)
        pyproject.write_text(pyproject.read_text().replace("[tool.tradeguard]\n", f"[tool.tradeguard]\n{added}", 1))

    def pre_commit_config(self, body: str) -> None:
        (self.root / ".pre-commit-config.yaml").write_text(body.replace(TEMPLATE_REPO, str(self.copy)))

    def commit(self, *paths: str) -> subprocess.CompletedProcess:
        git("add", *paths, cwd=self.root)
        return subprocess.run(["git", "commit", "-m", "work"], cwd=self.root, env=self.env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)


@pytest.fixture
def adopter(tmp_path, tradeguard_copy, pre_commit_home) -> Adopter:
    """The violating example as a team's existing repository, committed before tradeguard."""
    root = tmp_path / "work" / "bot"
    shutil.copytree(REPO / "examples" / "trading_bot", root, ignore=shutil.ignore_patterns(".tradeguard_cache", "__pycache__"))
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    git_identity(root)
    git("add", "-A", cwd=root)
    assert git("commit", "-q", "-m", "the bot, before tradeguard", cwd=root).returncode == 0
    return Adopter(root, tradeguard_copy, pre_commit_home)


def test_adopting_as_the_readme_says(adopter):
    for language, body in adoption_steps():
        adopter.run(language, body)
    root = adopter.root
    assert (root.parent / "tradeguard" / ".git").is_dir()  # step 1 cloned the team's copy
    pinned = yaml.safe_load((root / ".pre-commit-config.yaml").read_text())["repos"][0]["rev"]
    assert pinned == TAG  # `pre-commit autoupdate` pinned the tag the team made
    assert git("log", "-1", "--format=%s", cwd=root).stdout.strip() == "Adopt tradeguard"
    assert "Adopt tradeguard" in git("log", "--format=%s", cwd=root).stdout
    baselined = {entry["path"] for entry in __import__("json").loads((root / ".tradeguard-baseline.json").read_text())["findings"]}
    assert "bot/strategies/momentum.py" in baselined

    # A commit touching a file whose findings are baselined passes, through every hook.
    momentum = root / "bot" / "strategies" / "momentum.py"
    momentum.write_text("# Reviewed by the desk.\n" + momentum.read_text())
    touched = adopter.commit("bot/strategies/momentum.py")
    assert touched.returncode == 0, touched.stdout
    assert re.search(r"tradeguard check\.+Passed", touched.stdout) and re.search(r"tradeguard secrets\.+Passed", touched.stdout)

    # A new violation is blocked, and only its findings are printed, each once.
    token = f"{secrets.token_hex(16)}-{secrets.token_hex(16)}"  # an OANDA v20 token's shape, made up now
    rogue = root / "bot" / "strategies" / "rogue.py"
    rogue.write_text(f'OANDA_TOKEN = "{token}"\n\n\n' + NEW_VIOLATION)
    blocked = adopter.commit("bot/strategies/rogue.py")
    assert blocked.returncode == 1
    assert sorted(FINDING.findall(blocked.stdout)) == NEW_FINDINGS
    assert token not in blocked.stdout

    # The editor (flake8, the README's command) shows only the new findings.
    assert adopter.flake8_command is not None
    editor = adopter.bash(adopter.flake8_command)
    assert sorted(FINDING.findall(editor.stdout)) == NEW_FINDINGS, editor.stdout + editor.stderr


def test_autoupdate_pins_the_commit_of_a_copy_without_tags(tmp_path, pre_commit_home):
    """Without a tag, the README's `pre-commit autoupdate` pins the commit, a ref that exists."""
    from tests.hooks.conftest import snapshot

    copy = tmp_path / "tradeguard"
    copy.mkdir()
    commit = snapshot(copy)
    project = tmp_path / "bot"
    project.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    template = (REPO / "examples" / "ci" / ".pre-commit-config.yaml").read_text()
    (project / ".pre-commit-config.yaml").write_text(template.replace(TEMPLATE_REPO, str(copy)))
    env = tool_env(PRE_COMMIT_HOME=str(pre_commit_home))
    update = readme_section("## Adoption (ten minutes)").split("pre-commit autoupdate", 1)[1].split("#", 1)[0]
    done = subprocess.run(["bash", "-c", f"pre-commit autoupdate{update.replace(TEMPLATE_REPO, str(copy))}"],
                          cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert yaml.safe_load((project / ".pre-commit-config.yaml").read_text())["repos"][0]["rev"] == commit
