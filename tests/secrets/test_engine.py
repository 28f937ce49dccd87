"""One text through the whole engine: precheck, views, plugins, filters, pragmas, positions."""

import base64
import json
import time

import pytest

from hooks.secrets import engine, scan_text
from hooks.secrets.views import kubernetes_secret_values, notebook_text
from hooks.secrets.results import ExcludePatterns
from lint_rules.findings import Finding


def test_scan_text_gives_tg301_findings_with_real_positions(gen):
    token = gen.oanda()
    text = f'import os\n\nclient = API(access_token="{token}")\n'
    [finding] = scan_text("bot/oanda.py", text)
    assert isinstance(finding, Finding)
    column = text.splitlines()[2].index(token) + 1
    assert (finding.code, finding.path, finding.line, finding.column) == ("TG301", "bot/oanda.py", 3, column)
    assert (finding.end_line, finding.end_column) == (3, column + len(token))
    assert finding.kind == "OANDA v20 Token"
    assert token not in finding.message


def test_a_private_key_spans_from_its_header_to_its_body(gen):
    [finding] = scan_text("id_rsa", gen.pem("RSA PRIVATE KEY", 600))
    assert (finding.line, finding.column, finding.end_line) == (1, 1, 2)


def test_a_text_with_nothing_secret_shaped_costs_microseconds():
    text = "def add(a, b):\n    return a + b\n\n\nclass Point:\n    x: int\n    y: int\n" * 20
    scan_text("geometry.py", text)
    started = time.perf_counter()
    for _ in range(1000):
        assert scan_text("geometry.py", text) == []
    assert (time.perf_counter() - started) / 1000 < 500e-6  # about 0.1 ms on an idle machine


@pytest.mark.parametrize(
    "pragma",
    ["  # pragma: allowlist secret", "  // pragma: allowlist secret", "  # pragma: whitelist secret"],
)
def test_the_detect_secrets_allowlist_pragma_silences_its_line(gen, pragma):
    assert scan_text("bot.py", f'TOKEN = "{gen.oanda()}"{pragma}\n') == []


def test_the_nextline_pragma_silences_the_line_after_it(gen):
    text = f'# pragma: allowlist nextline secret\nTOKEN = "{gen.oanda()}"\nOTHER = "{gen.oanda()}"\n'
    assert [f.line for f in scan_text("bot.py", text)] == [3]


def test_baseline_line_and_secret_excludes_apply(gen):
    text = f"A={gen.oanda()}\nB={gen.oanda()}  # vendored\n"
    excludes = ExcludePatterns(lines=(r"# vendored$",))
    assert [d.finding.line for d in engine.scan_source(".env", text, excludes)] == [1]
    assert engine.scan_source(".env", text, ExcludePatterns(secrets=(r"^[0-9a-f]{32}-",))) == []


def test_a_notebook_is_read_cell_by_cell_with_image_outputs_blanked(gen):
    token, alpaca = gen.oanda(), gen.alpaca_id()
    image = base64.b64encode(gen.rng.randbytes(2000)).decode()
    notebook = json.dumps({"cells": [
        {"cell_type": "code", "source": [f'client = API(access_token="{token}")\n', 'key = os.environ["K"]'],
         "outputs": [{"output_type": "stream", "text": [f"key {alpaca}\n"]},
                     {"output_type": "display_data", "data": {"image/png": image}}]},
    ]}, indent=1)
    view = notebook_text(notebook)
    pairs = list(zip(notebook.split("\n"), view.split("\n"), strict=True))
    assert all(len(raw) == len(read) for raw, read in pairs if image not in raw)
    assert f' "{token} "' in view and image not in view
    findings = scan_text("research.ipynb", notebook)
    lines = notebook.splitlines()
    assert [(f.line, f.kind) for f in findings] == [
        (next(i for i, line in enumerate(lines, 1) if token in line), "OANDA v20 Token"),
        (next(i for i, line in enumerate(lines, 1) if alpaca in line), "Alpaca API Key"),
    ]
    assert all(lines[f.line - 1][f.column - 1:].startswith((token, alpaca)) for f in findings)


def test_kubernetes_secret_data_is_decoded_and_reported_on_its_line(gen):
    token, password = gen.oanda(), gen.password()
    encoded = [base64.b64encode(value.encode()).decode() for value in (token, password, "traderjoe")]
    manifest = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\ndata:\n"
        f"  oanda-token: {encoded[0]}\n  tws-password: {encoded[1]}\n  username: {encoded[2]}\n"
    )
    assert [entry.line for entry in kubernetes_secret_values(manifest)] == [6, 7, 8]
    findings = scan_text("secret.yaml", manifest)
    assert [(f.line, f.kind) for f in findings] == [(6, "OANDA v20 Token"), (7, "IBKR Credential")]
    assert all("Kubernetes Secret" in f.message for f in findings)
    config_map = manifest.replace("kind: Secret", "kind: ConfigMap")
    assert not any("Kubernetes Secret" in f.message for f in scan_text("configmap.yaml", config_map))


def test_every_kubernetes_secret_value_is_reported_unless_a_stand_in_or_an_identifier(gen):
    password = gen.alnum(6) + "!" + gen.alnum(5)
    docker = json.dumps({"auths": {"registry.internal": {"auth": gen.alnum(12)}}})

    def encoded(value):
        return base64.b64encode(value.encode()).decode()

    manifest = (
        "apiVersion: v1\nkind: secret\ndata:\n"
        f"\tpassword: {encoded(password)}\n\tusername: {encoded('trader')}\n\tother: {encoded('changeme')}\n"
        f"\textra: {encoded('bar' + chr(10))}\n\t.dockercfg: |\n\t\t{encoded(docker)}\n"
    )
    findings = scan_text("secret.yaml", manifest)
    assert [f.line for f in findings] == [4, 9]
    assert all("Kubernetes Secret" in f.message and password not in f.message for f in findings)
    # Too short for any detector to type: reported because the manifest declares it secret.
    short = manifest.replace(encoded(password), encoded(gen.alnum(4) + "!"))
    assert [(f.line, f.kind) for f in scan_text("secret.yaml", short)][0] == (4, "Kubernetes Secret Value")
    config_map = scan_text("configmap.yaml", manifest.replace("kind: secret", "kind: ConfigMap"))
    assert not any("Kubernetes Secret" in f.message for f in config_map)


def test_a_long_pathological_file_through_every_plugin_is_still_fast():
    text = "\n".join([
        " " * 50_000, "password=" * 5_000, "-----BEGIN PRIVATE KEY-----" + " " * 50_000, "key" * 20_000,
        "https://" + "a:" * 20_000 + "@", "Client(" + '"aaaaaaaaaaaaaaaa", ' * 5_000, "0" * 50_000 + "-",
    ])
    started = time.perf_counter()
    scan_text("weird.txt", text)
    assert time.perf_counter() - started < 2.0


def test_no_record_of_a_scan_shows_the_text_it_came_from(gen):
    from hooks.secrets.views import views

    token = gen.oanda()
    manifest = f"kind: Secret\ndata:\n  oanda-token: {base64.b64encode(token.encode()).decode()}\n"
    assert all(token not in repr(view) for view in views("secret.yaml", manifest))
    assert all(token not in repr(detection) for detection in engine.scan_source("secret.yaml", manifest))
