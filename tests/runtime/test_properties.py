"""Property tests: random sequences of operator actions, state-file edits, hostile orders and replies.

- No connector call in LIVE without a valid signed arming record and the kill switch off.
- Every submit returns a canonical result and is audited exactly once (an outcome line; an intent
  line too exactly when the connector was called).
- ``verify`` passes on every untouched log and fails on every edited one.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tradeguard import Limits, OrderGateway, is_canonical
from tradeguard.audit import AuditEvent, AuditLog, log_files, verify
from tradeguard.config import LivePolicy
from tradeguard.state import StateFolder

PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Raising:
    """An object every method of which raises: repr, comparison, attributes, iteration."""

    def __getattr__(self, name):
        raise RuntimeError(name)

    def __repr__(self):
        raise RuntimeError("repr")

    def __eq__(self, other):
        raise RuntimeError("eq")

    __ne__ = __eq__
    __hash__ = object.__hash__

    def __iter__(self):
        raise RuntimeError("iter")


def huge_int() -> int:
    return 10**5000  # printing it raises: more than 4,300 digits


def lone_surrogate() -> str:
    return "\ud800"


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**6), max_value=10**6), st.builds(huge_int),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12), st.builds(lone_surrogate), st.binary(max_size=8),
    st.builds(Raising),
)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                      max_leaves=6)
orders = st.fixed_dictionaries(
    {"symbol": st.one_of(st.just("EUR_USD"), values), "side": st.one_of(st.sampled_from(["buy", "sell"]), values),
     "quantity": st.one_of(st.just(1), values)},
    optional={"price": values, "memo": values, "api_key": st.text(max_size=8)},
)
replies = st.one_of(
    st.just({"success": True, "error": None, "data": {"order_id": "x"}}),
    st.fixed_dictionaries({"success": values, "error": values, "data": values}),
    values, st.builds(lambda: (n for n in range(2))), st.builds(lambda: ConnectionError("reset")),
    st.builds(lambda: GeneratorExit()),
)
actions = st.one_of(
    st.tuples(st.just("arm"), st.sampled_from([60.0, 3600.0])),
    st.tuples(st.sampled_from(["disarm", "halt", "resume", "tick", "chmod_arming", "null_halt", "dangle_halt"]),
              st.none()),
    st.tuples(st.just("edit_arming"), st.sampled_from(["approvers", "expires_at", "id", "garbage"])),
    st.tuples(st.just("submit"), st.tuples(orders, replies)),
)


class Connector:
    def __init__(self) -> None:
        self.calls = 0
        self.reply: object = None

    def place_order(self, symbol=None, side=None, quantity=None, price=None, **extra):
        self.calls += 1
        if isinstance(self.reply, BaseException):
            raise self.reply
        return self.reply


class Clock:
    """The state folder's idea of now, moved by the test ("tick": an hour later)."""

    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return time.monotonic()


@contextmanager
def scratch():
    folder = Path(tempfile.mkdtemp(prefix="tg-prop-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class Model:
    """What the operator's actions should have made of LIVE: armed until when, halted or not."""

    def __init__(self) -> None:
        self.expires: float | None = None
        self.halted = False

    def live_allowed(self, now: float) -> bool:
        return self.expires is not None and now < self.expires and not self.halted


def apply(action: str, argument, state: StateFolder, model: Model, clock: Clock) -> None:
    home = state.home
    if action == "arm":
        state.arm(["ana", "bo"], argument, "property", {"ran": False})
        model.expires = clock.now + argument
    elif action == "disarm":
        state.disarm()
        model.expires = None
    elif action == "halt":
        state.halt("property")
        model.halted = True
    elif action == "resume":
        state.resume()
        model.halted = False
    elif action == "tick":
        clock.now += 3600.0
    elif action == "chmod_arming" and (home / "arming.json").exists():
        os.chmod(home / "arming.json", 0o666)
        model.expires = None
    elif action == "null_halt":
        (home / "halt.json").write_text("null")
        model.halted = True
    elif action == "dangle_halt":
        (home / "halt.json").unlink(missing_ok=True)
        (home / "halt.json").symlink_to(home / "nowhere.json")
        model.halted = True
    elif action == "edit_arming" and (home / "arming.json").exists():
        path = home / "arming.json"
        try:
            record = json.loads(path.read_text())
        except ValueError:  # already garbage
            record = {"expires_at": 0.0}
        if argument == "garbage":
            path.write_text("{\"id\": ")
        else:
            record[argument] = {"approvers": ["ana", "eve"], "expires_at": record["expires_at"] + 1, "id": "x"}[argument]
            path.write_text(json.dumps(record))
        os.chmod(path, 0o600)
        model.expires = None


@PROPERTY
@given(steps=st.lists(actions, min_size=1, max_size=12))
def test_live_never_reaches_the_broker_unarmed_and_every_submit_is_audited_once(steps):
    clock = Clock()
    with scratch() as home, mock.patch("tradeguard.state.time", clock):
        connector = Connector()
        gateway = OrderGateway({"fx": connector}, mode="LIVE", home=home, limits=Limits(),
                               live_policy=LivePolicy(2, 12 * 3600))
        model = Model()
        expected_ids = 0
        for action, argument in steps:
            if action != "submit":
                apply(action, argument, gateway.state, model, clock)
                continue
            order, reply = argument
            connector.reply = reply
            before = connector.calls
            allowed = model.live_allowed(clock.now)
            result = gateway.submit("fx", **order)
            assert is_canonical(result)
            assert connector.calls == before or allowed, (action, model.__dict__)
            expected_ids += 1
        event("the broker was called" if connector.calls else "the broker was never called")
        _assert_audited_once(home, expected_ids, connector.calls)


def _assert_audited_once(home: Path, submits: int, calls: int) -> None:
    path = home / "audit.log"
    if not submits:
        return
    events = [AuditEvent.from_json(line) for line in path.read_text().splitlines()]
    outcomes = [e.attempt_id for e in events if e.kind == "order" and e.phase == "outcome"]
    intents = [e.attempt_id for e in events if e.kind == "order" and e.phase == "intent"]
    assert len(outcomes) == len(set(outcomes)) == submits
    assert len(intents) == calls and set(intents) <= set(outcomes)
    assert verify(path).intact


@PROPERTY
@given(order=orders, reply=replies, mode=st.sampled_from(["PAPER", "LIVE"]))
def test_hostile_orders_and_replies_give_canonical_results_and_whole_lines(order, reply, mode):
    with scratch() as home:
        connector = Connector()
        connector.reply = reply
        # LIVE unarmed: the refusal path must be as safe as the paper broker's.
        gateway = OrderGateway({"fx": connector}, mode=mode, home=home, limits=Limits(max_notional=10**6),
                               price_source={"EUR_USD": 1.1})
        result = gateway.submit("fx", **order)
        assert is_canonical(result) and connector.calls == 0
        json.dumps(result["error"])  # the message itself is writable
        _assert_audited_once(home, 1, 0)


# -- the hash chain --------------------------------------------------------------------------------
edits = st.one_of(
    st.tuples(st.just("flip"), st.integers(min_value=0), st.integers(min_value=0, max_value=255)),
    st.tuples(st.just("delete_line"), st.integers(min_value=0), st.none()),
    st.tuples(st.just("swap"), st.integers(min_value=0), st.none()),
    st.tuples(st.just("duplicate"), st.integers(min_value=0), st.none()),
    st.tuples(st.just("truncate"), st.integers(min_value=1, max_value=40), st.none()),
    st.tuples(st.just("drop_file"), st.integers(min_value=0), st.none()),
    st.tuples(st.just("forge_last"), st.none(), st.none()),
)


def _write_log(home: Path, count: int, max_bytes: int) -> Path:
    path = home / "audit.log"
    log = AuditLog(path, max_bytes=max_bytes, keep_files=10_000)
    for number in range(count):
        log.write(AuditEvent(ts=time.time(), kind="probe", details={"n": number}))
    log.close()
    return path


def _edit(path: Path, edit: tuple) -> bool:
    """Apply ``edit`` to one file of the log; False when it changed nothing (nothing to check)."""
    kind, where, byte = edit
    files = log_files(path)
    if kind == "drop_file":
        if len(files) < 2:
            return False
        files[where % (len(files) - 1)].unlink()  # a rotated file
        return True
    target = files[(where or 0) % len(files)] if kind != "forge_last" else files[-1]
    data = target.read_bytes()
    lines = data.splitlines(keepends=True)
    if kind == "flip":
        index = where % len(data)
        if data[index] == byte:
            return False
        changed = data[:index] + bytes([byte]) + data[index + 1:]
    elif kind == "delete_line":
        del lines[where % len(lines)]
        changed = b"".join(lines)
    elif kind == "swap":
        if len(lines) < 2:
            return False
        index = where % (len(lines) - 1)
        lines[index], lines[index + 1] = lines[index + 1], lines[index]
        changed = b"".join(lines)
    elif kind == "duplicate":
        index = where % len(lines)
        lines.insert(index, lines[index])
        changed = b"".join(lines)
    elif kind == "truncate":
        changed = data[: max(0, len(data) - where)]
    else:  # rewrite the newest line with a consistent prev: only the head can tell
        last = AuditEvent.from_json(lines[-1])
        forged = AuditEvent(ts=last.ts, kind="probe", details={"n": -1}, prev=last.prev)
        changed = b"".join(lines[:-1]) + forged.to_json().encode() + b"\n"
    target.write_bytes(changed)
    return changed != data


@PROPERTY
@given(count=st.integers(min_value=1, max_value=25), max_bytes=st.sampled_from([300, 900, 50_000]), edit=edits)
def test_verify_passes_untouched_and_fails_edited_logs(count, max_bytes, edit):
    with scratch() as home:
        path = _write_log(home, count, max_bytes)
        before = verify(path)
        assert before.intact and before.lines == count, before.problem
        edited = _edit(path, edit)
        event(f"edited: {edit[0]}" if edited else "left untouched")
        if edited:
            after = verify(path)
            assert not after.intact and after.problem, edit
