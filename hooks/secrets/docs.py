"""TG301's page, as `tradeguard rule TG301` prints it: the rules' sections, and the kinds covered
listed from the providers' table, so the page cannot drift from what the scanner detects."""

from __future__ import annotations

from hooks.secrets.providers import GROUPS, PROVIDERS

CODE = "TG301"
NAME = "committed-credential"
SUMMARY = "A credential committed in source: broker and exchange keys, private keys, cloud keys, tokens, passwords."

_PAGE = """\
# {code} ({name})

{summary}

## What it does
Finds credentials in files of any type (code, `.env`, YAML, JSON, TOML, INI, shell, Dockerfiles,
notebooks, Kubernetes Secrets, prose, logs) and in git history (`--history`). A token whose format
is distinctive (`sk_live_...`, `ghp_...`, `xoxb-...`, a signed JWT, a PEM private key) is reported
wherever it stands; a value of a provider's own exact shape is reported under any name holding the
provider's word (`cloudflare: "<37 hex>"`, `SONAR.LOGIN ::= "..."`, `"artifactory", "..."`) or shortly
after the word (`kucoin secret <uuid>`); any other value is reported when a credential name holds
it (`api_key = "..."`, `BINANCE_API_SECRET=...`, `<add key="ClearTextPassword" value="..."/>`,
`--password ...`, `curl -u user:pw`, `curl -H "Api-Token: ..."`), or when it is passed positionally
to a broker SDK's client class. The secret itself never appears in any output, cache or baseline.
Files git ignores are not scanned while walking folders (`respect-gitignore`,
`--no-respect-gitignore`). Nothing is verified over the network.

## Why is this bad?
A key in a repository is a key in every clone, fork, CI log and backup of it, for ever: deleting
it later leaves it in the history. A broker or exchange key can place orders and move funds.

## Example
```python
OANDA_TOKEN = "<32 hex>-<32 hex>"
client = Client("<api key>", "<api secret>")   # python-binance
```

## Use instead
```python
import os

OANDA_TOKEN = os.environ["OANDA_TOKEN"]
client = Client(os.environ["BINANCE_API_KEY"], os.environ["BINANCE_API_SECRET"])
```
Load it from the environment or a secret store (Vault, AWS Secrets Manager), and rotate the
key that was committed: it must be treated as leaked.

## Kinds covered
{kinds}

## What is left alone
Placeholders (`<your-key>`, `${{VAR}}`, `xxxx`, `***REMOVED***`, masked keys such as `2fFZuXXX_...`,
`changeme`), environment and secret-store references, public keys and certificates, blockchain
addresses, lockfile digests and commit SHAs, UUIDs that are identifiers (a UUID under an explicit
secret name is reported), vendors' documented example keys and public SDK client keys, dummy
values in tests.

## How to allowlist
- A false report: `# pragma: allowlist secret` on its line (or `# pragma: allowlist nextline
  secret` on the line before), in any comment style detect-secrets knows.
- Accepted findings: record them in a detect-secrets baseline, `tradeguard secrets --baseline
  .secrets.baseline --update-baseline`; the file names each secret by its SHA-1, never its value.
- Whole files, lines or values: `--exclude-files`, `--exclude-lines`, `--exclude-secrets` (regexes,
  kept in the baseline).
- In `tradeguard check` and flake8: `# noqa: {code} -- reason` and `per-file-ignores`.

## Options
`respect-gitignore` in `[tool.tradeguard]` (default true). See docs/secrets.md for the command.

## Fix safety
No automatic fix: moving a credential out of the code needs a decision (and a rotation).
"""


def kinds_table() -> str:
    """One line per kind of credential, under its group."""
    sections = []
    for group in GROUPS:
        rows = [f"- {provider.secret_type}: {provider.doc}" for provider in PROVIDERS if provider.group == group]
        sections.append(f"{group}:\n" + "\n".join(rows))
    return "\n\n".join(sections)


def rule_doc() -> str:
    """TG301's documentation: what, why, example, use instead, kinds covered, how to allowlist."""
    return _PAGE.format(code=CODE, name=NAME, summary=SUMMARY, kinds=kinds_table())


_BLOCK_START = "keeps them equal -->\n"
_BLOCK_END = "\n<!-- end kinds -->"


def update_markdown(path: str) -> None:
    """Rewrite the generated list of kinds in a Markdown page (docs/secrets.md)."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    head, _, rest = text.partition(_BLOCK_START)
    _, _, tail = rest.partition(_BLOCK_END)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(head + _BLOCK_START + kinds_table() + _BLOCK_END + tail)


if __name__ == "__main__":  # python -m hooks.secrets.docs docs/secrets.md
    import sys

    update_markdown(sys.argv[1])
