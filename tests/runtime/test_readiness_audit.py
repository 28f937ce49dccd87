"""The readiness checks' audit-log part: the probe archives before retention, and the operator's own log must verify."""

from __future__ import annotations

from hooks.readiness_checks.base import Project
from hooks.readiness_checks.runtime import audit_log
from tradeguard import Limits, OrderGateway

from .helpers import RecordingConnector


def test_audit_log_check_passes_a_whole_log_and_fails_an_edited_one(tmp_path, home):
    project = Project(root=tmp_path, home=home)
    passed, reason = audit_log(project)
    assert passed and "can be created" in reason and "rotation, archive and retention work" in reason
    gateway = OrderGateway({"fx": RecordingConnector()}, limits=Limits())
    for _ in range(3):
        gateway.submit("fx", symbol="EUR_USD", side="buy", quantity=1, price=1.0)
    passed, reason = audit_log(project)
    assert passed and "exists, is writable and verifies (3 lines)" in reason
    text = (home / "audit.log").read_text().replace('"quantity":1,', '"quantity":9,', 1)
    (home / "audit.log").write_text(text)
    passed, reason = audit_log(project)
    assert not passed and "does not verify: audit.log line 2: the chain is broken" in reason
