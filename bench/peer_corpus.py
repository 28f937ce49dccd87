"""A labeled corpus built from the peers' own test suites, each example placed in a realistic file.

    python bench/peer_corpus.py OUT --gitleaks DIR --trufflehog DIR --detect-secrets DIR [--seed 11]

The peers' checkouts (gitleaks, trufflehog, detect-secrets; fetched anywhere outside this
repository) are read, not copied: the examples are the strings their rule tests assert on.

- gitleaks: `cmd/generate/config/rules/*.go`, each rule's true positives (`tps`) and false
  positives (`fps`), with gitleaks' generated secrets drawn from their regexes
  (`secrets.NewSecret(...)`) by `bench/go_examples.py`;
- trufflehog: `pkg/detectors/<name>/**/*_test.go` of the detectors in `TRUFFLEHOG_DETECTORS`
  (the services a trading team holds keys for), the `input` of each pattern test case, positive
  when the test wants a result;
- detect-secrets: `tests/plugins/*_test.py`, the `(line, should_flag)` parameters.

Each example becomes one file under OUT/tree, placed the way the peer's test uses it:

- an example that is already a line or a snippet (anything with a space, an assignment such as
  `GITLAB_TOKEN=…`, braces) goes as it is into a file of the type it reads as, credential names
  and all: the peer asserts on that very line;
- gitleaks' `GenerateSampleSecret(id, s)` is the one line it writes, `id_api_token = "s"`, and is
  placed as such a line (secret or look-alike);
- gitleaks' `GenerateSampleSecrets(id, s)` places `s` under the identifier in many syntaxes: the
  example goes into one of them, under `id` (secret or look-alike);
- a bare token that is a secret goes into a realistic context (a Python assignment, a `.env` line,
  YAML, JSON, a shell command, prose, a log line), named after its provider or not;
- a bare token that is a look-alike goes only into contexts that name no credential: the peer
  tests the bare string, and a random value under `API_TOKEN=` *is* a credential.

Labels are the peers' own, never changed; a string the peers label both ways (one rule's secret,
another rule's look-alike) is left out.
OUT/manifest.json lists every example: its file, the lines it spans, whether it is a secret, its
kind (the peer's rule or detector), its source, and its split: `heldout` for every
detect-secrets example and a seeded random third of the others, `tuning` for the rest.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import random
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from go_examples import Named, evaluate_file  # noqa: E402

# trufflehog detectors whose services a trading team's repository may hold keys for: market data
# and brokers, exchanges, cloud, CI and code hosting, messaging and alerting, payments, AI APIs,
# databases and infrastructure.
TRUFFLEHOG_DETECTORS = (
    "polygon", "finnhub", "iexcloud", "twelvedata", "tiingo", "coinbase", "kraken", "kucoin", "bitfinex",
    "bitmex", "gemini", "coinapi", "coinlayer", "cryptocompare", "etherscan", "infura", "alchemy", "moralis",
    "intrinio", "tradier", "oanda", "financialmodelingprep", "marketstack", "nasdaqdatalink",
    "stripe", "square", "paypaloauth", "openai", "anthropic", "huggingface", "groq", "replicate", "deepseek",
    "xai", "openrouter", "slack", "slackwebhook", "discordbottoken", "discordwebhook", "telegrambottoken",
    "twilio", "sendgrid", "mailgun", "mailchimp", "sentrytoken", "github", "gitlab", "npmtoken",
    "npmtokenv2", "pypi", "heroku", "digitaloceantoken", "digitaloceanv2", "shopify", "aws", "gcp",
    "gcpapplicationdefaultcredentials", "jwt", "uri", "mongodb", "redis", "postgres", "jdbc", "privatekey",
    "pagerdutyapikey", "datadogtoken", "newrelicpersonalapikey", "grafana", "dockerhub",
    "terraformcloudpersonaltoken", "doppler", "vercel", "netlify", "cloudflareapitoken", "atlassian",
    "notion", "linearapi", "dropbox", "microsoftteamswebhook", "azure_entra", "azure_storage",
    "azuredevopspersonalaccesstoken", "azuresastoken", "sqlserver", "rabbitmq", "ngrok", "tailscale",
    "snowflake", "databrickstoken", "planetscale", "pinecone", "elevenlabs",
)
# detect-secrets plugin tests that are not about credentials.
_DETECT_SECRETS_SKIP = ("base_test.py", "ip_public_test.py")


@dataclass
class Example:
    source: str
    kind: str
    secret: bool
    text: str  # a bare token, a line or a snippet
    identifier: str = ""  # for gitleaks' GenerateSampleSecrets: the name it places the secret under


@dataclass
class Entry:
    path: str
    first_line: int
    last_line: int
    secret: bool
    kind: str
    source: str
    split: str
    context: str


# -- reading the peers --------------------------------------------------------------------------


def gitleaks_examples(root: Path, rng: random.Random) -> list[Example]:
    examples = []
    for path in sorted((root / "cmd/generate/config/rules").glob("*.go")):
        groups: list[dict[str, Any]] = []
        current: dict[str, Any] = {}
        for name, operator, value in evaluate_file(path.read_text(), rng).assignments:
            if name == "r" and operator == ":=" and isinstance(value, dict):
                current = {"rule": value.get("RuleID") or path.stem}
                groups.append(current)
            elif name in ("tps", "fps", "truePositives", "falsePositives") and current:
                current["tps" if name in ("tps", "truePositives") else "fps"] = value
        for group in groups:
            for key, secret in (("tps", True), ("fps", False)):
                values = group.get(key) or []
                items = list(values.values()) if isinstance(values, dict) else values
                for item in items:
                    if isinstance(item, Named) and item.secret:
                        examples.append(Example("gitleaks", group["rule"], secret, item.secret, item.identifier))
                    elif isinstance(item, str) and item.strip():
                        examples.append(Example("gitleaks", group["rule"], secret, item))
    return examples


def trufflehog_examples(root: Path, rng: random.Random) -> list[Example]:
    examples = []
    for detector in TRUFFLEHOG_DETECTORS:
        for path in sorted((root / "pkg/detectors" / detector).rglob("*_test.go")):
            if path.name.endswith("_integration_test.go"):
                continue
            for _, _, value in evaluate_file(path.read_text(), rng).assignments:
                if not (isinstance(value, list) and value and all(isinstance(case, dict) for case in value)):
                    continue
                for case in value:
                    text, want = case.get("input"), case.get("want")
                    if isinstance(text, str) and text.strip() and isinstance(want, list):
                        examples.append(Example("trufflehog", detector, bool(want), text))
    return examples


def detect_secrets_examples(root: Path) -> list[Example]:
    examples = []
    for path in sorted((root / "tests/plugins").glob("*_test.py")):
        if path.name in _DETECT_SECRETS_SKIP:
            continue
        kind = path.name.removesuffix("_test.py")
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "parametrize" and len(node.args) == 2):
                continue
            try:
                cases = ast.literal_eval(node.args[1])
            except ValueError:
                continue
            for case in cases:
                if isinstance(case, tuple) and len(case) == 2 and isinstance(case[0], str) and isinstance(case[1], bool):
                    if case[0].strip():
                        examples.append(Example("detect-secrets", kind, case[1], case[0]))
    return examples


# -- placing examples in files --------------------------------------------------------------------


def _provider(kind: str) -> str:
    return re.split(r"[-_]", kind)[0].lower() or "service"


# Contexts for a bare token: (extension, template). `{v}` is the token, `{p}` the provider word.
NAMED_CONTEXTS = (
    ("py", '"""Settings for the {p} integration."""\n\nimport os\n\n{p}_token = "{v}"\nTIMEOUT = 30\n'),
    ("env", "LOG_LEVEL=info\n{P}_API_KEY={v}\nREGION=eu-west-1\n"),
    ("yaml", "service:\n  name: reporting\n  {p}:\n    api_key: {v}\n    retries: 3\n"),
    ("json", '{{\n  "service": "reporting",\n  "{p}_token": "{v}",\n  "retries": 3\n}}\n'),
    ("sh", "#!/usr/bin/env bash\nset -euo pipefail\nexport {P}_TOKEN='{v}'\npython -m jobs.sync\n"),
)
NEUTRAL_CONTEXTS = (
    ("md", "# Incident notes\n\nThe deploy log showed {v} in the output of the sync job.\nRotate it and redeploy.\n"),
    ("log", "2024-05-01T10:00:00Z INFO sync started\n2024-05-01T10:00:01Z DEBUG upstream replied {v}\n2024-05-01T10:00:02Z INFO sync done\n"),
    ("yaml", "jobs:\n  - name: sync\n    args:\n      - --verbose\n      - {v}\n"),
    ("json", '{{\n  "job": "sync",\n  "args": ["--verbose", "{v}"]\n}}\n'),
    ("sh", "#!/usr/bin/env bash\nset -euo pipefail\nsynctool run --verbose {v}\n"),
    ("py", 'import subprocess\n\nsubprocess.run(["synctool", "run", "{v}"], check=True)\n'),
)
# The identifier gitleaks places a generated secret under, in each syntax.
IDENTIFIER_CONTEXTS = (
    ("py", 'import os\n\n{i}_token = "{v}"\nDEBUG = False\n'),
    ("env", "LOG_LEVEL=info\n{I}_TOKEN={v}\n"),
    ("yaml", "integrations:\n  {i}_token: {v}\n  enabled: true\n"),
    ("json", '{{\n  "{i}_token": "{v}",\n  "enabled": true\n}}\n'),
    ("ini", "[integrations]\n{i}Token = {v}\nenabled = true\n"),
    ("go", 'package config\n\nvar {i}Token = "{v}"\n'),
)


def _sniff(text: str) -> str:
    """The extension of a file in which `text` reads naturally."""
    stripped = text.strip()
    if stripped.startswith(("{", "[")) and stripped.endswith(("}", "]")):
        return "json"
    if "\n" in stripped:
        lines = [line for line in stripped.split("\n") if line.strip()]
        yaml_lines = sum(bool(re.match(r"\s*(?:-\s+)?[\"']?[\w.-]+[\"']?:(?:\s|$)|\s*-\s", line)) for line in lines)
        return "yaml" if yaml_lines >= 0.8 * len(lines) else "txt"
    if ":=" in stripped or stripped.startswith(("var ", "const ", "func ")):
        return "go"
    if re.match(r"^(?:export\s+)?[A-Z][A-Z0-9_]*=\S", stripped):
        return "env"
    if re.match(r"^[\w.]+\s*=\s*[\"'rbf]", stripped):
        return "py"
    if re.match(r"^[\w.-]+:\s", stripped):
        return "yaml"
    if stripped.startswith(("curl ", "wget ", "git ", "docker ", "npm ", "pip ")):
        return "sh"
    return "txt"


def _bare_token(text: str) -> bool:
    """One run of non-space characters that is not itself an assignment (`NAME=value`, `key:"value"`)."""
    assignment = re.match(r"[A-Za-z_][\w.-]*(?:=|:[\"'])", text)
    return bool(re.fullmatch(r"\S+", text)) and not re.search(r"[{}]", text) and not assignment


def _placed(example: Example, rng: random.Random) -> tuple[str, str, str]:
    """(extension, file text, context name)."""
    text = example.text
    if example.identifier:
        ext, template = rng.choice(IDENTIFIER_CONTEXTS)
        ident = re.sub(r"\W", "_", example.identifier)
        return ext, template.format(i=ident.lower(), I=ident.upper(), v=text), f"named-{ext}"
    if _bare_token(text):
        contexts = NEUTRAL_CONTEXTS + (NAMED_CONTEXTS if example.secret else ())
        ext, template = rng.choice(contexts)
        provider = re.sub(r"\W", "_", _provider(example.kind))
        return ext, template.format(p=provider, P=provider.upper(), v=text), f"token-{ext}"
    ext = _sniff(text)
    body = text if text.endswith("\n") else text + "\n"
    if ext == "json":
        return ext, body, "as-is-json"
    lead = {"go": "// config\n", "txt": "Notes\n\n", "py": "# settings\n", "sh": "#!/bin/sh\n"}.get(ext, "# settings\n")
    return ext, lead + body, f"as-is-{ext}"


def _span(file_text: str, example_text: str) -> tuple[int, int]:
    """The 1-based lines of the file that the example occupies."""
    lines = file_text.split("\n")
    probe = example_text.strip().split("\n")[0].strip() or example_text.strip()
    first = next((number for number, line in enumerate(lines, 1) if probe and probe in line), 1)
    return first, first + example_text.strip().count("\n")


def build(out: Path, examples: list[Example], seed: int) -> list[Entry]:
    rng = random.Random(seed)
    tree = out / "tree"
    entries = []
    # A string one rule tests as a secret and another as a look-alike (gitleaks tests each
    # Cloudflare key format as a false positive of the other two rules) has no one label: it is
    # left out, both ways. A string given twice with one label is placed once.
    labels: dict[str, set[bool]] = {}
    for example in examples:
        labels.setdefault(example.text, set()).add(example.secret)
    seen: set[str] = set()
    for example in examples:
        if len(labels[example.text]) > 1 or example.text in seen:
            continue
        seen.add(example.text)
        ext, file_text, context = _placed(example, rng)
        digest = hashlib.sha1(f"{example.source}:{example.kind}:{example.text}".encode()).hexdigest()[:10]
        relative = f"{example.source}/{re.sub(r'[^A-Za-z0-9_.-]', '_', example.kind)}/{digest}.{ext}"
        target = tree / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(file_text, encoding="utf-8")
        heldout = example.source == "detect-secrets" or int(digest, 16) % 3 == 0
        first, last = _span(file_text, example.text)
        entries.append(Entry(relative, first, last, example.secret, example.kind, example.source,
                             "heldout" if heldout else "tuning", context))
    (out / "manifest.json").write_text(json.dumps([asdict(entry) for entry in entries], indent=1))
    return entries


def collect(gitleaks: Path | None, trufflehog: Path | None, detect_secrets: Path | None, seed: int) -> list[Example]:
    rng = random.Random(seed)
    examples: list[Example] = []
    if gitleaks:
        examples += gitleaks_examples(gitleaks, rng)
    if trufflehog:
        examples += trufflehog_examples(trufflehog, rng)
    if detect_secrets:
        examples += detect_secrets_examples(detect_secrets)
    return examples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--gitleaks", type=Path)
    parser.add_argument("--trufflehog", type=Path)
    parser.add_argument("--detect-secrets", type=Path)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    entries = build(args.out, collect(args.gitleaks, args.trufflehog, args.detect_secrets, args.seed), args.seed)
    secrets = sum(entry.secret for entry in entries)
    print(f"{len(entries)} examples ({secrets} secrets, {len(entries) - secrets} look-alikes) in {args.out / 'tree'}")


if __name__ == "__main__":
    main()
