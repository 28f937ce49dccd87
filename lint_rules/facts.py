"""Which facts of the project index a file's check read, so its cached result outlives other edits.

While one file is checked, its rules see the index through a ``RecordingIndex``: every public
lookup (a method call with its arguments, a property, a read of ``summaries`` or ``derived``)
is passed to the real index and recorded with a fingerprint of its answer. The cached result of
the file holds those records; a later run asks the same questions of its own index (each
distinct question once per run) and keeps the result only if every answer is unchanged. So
adding a module re-checks the files whose answers it changes (a new connector class, a new
helper that builds canonical results), not the whole project.

This knows nothing of what the index contains: rules and index may add lookups freely.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

# One recorded question: (kind, name, arguments) -> fingerprint of the answer.
Question = tuple[str, str, tuple]


_PLAIN = (bool, int, type(None))


def fingerprint(value: Any) -> Any:
    """``value`` itself when it is small and plain (most answers: a bool, a name), else a hash
    of it that is the same in every process."""
    if isinstance(value, _PLAIN) or (isinstance(value, str) and len(value) <= 64):
        return value
    return "#" + hashlib.sha256(repr(_canonical(value)).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _canonical(value: Any) -> Any:
    """A form of ``value`` whose ``repr`` is the same in every process (set order is not)."""
    kind = type(value)
    # Summaries are plain strings, lists and dicts: those first, by exact type (an `isinstance`
    # of the `Mapping` ABC costs more than the rest of the work), to the same forms as below.
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is list or kind is tuple:
        return tuple(_canonical(item) for item in value)
    if kind is dict:
        return ("map", tuple(sorted(((repr(key), _canonical(item)) for key, item in value.items()))))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted((_canonical(item) for item in value), key=repr)))
    if isinstance(value, Mapping):
        return ("map", tuple(sorted(((repr(key), _canonical(item)) for key, item in value.items()))))
    if isinstance(value, (list, tuple)):
        return tuple(_canonical(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, tuple(_canonical(getattr(value, f.name)) for f in dataclasses.fields(value)))
    if hasattr(value, "pattern") and hasattr(value, "flags"):  # a compiled regex
        return ("re", value.pattern, value.flags)
    return value


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(item) for item in value)
    return value


class RecordingIndex:
    """The index as one file's rules see it; ``asked`` holds what they asked and the answers."""

    def __init__(self, index: Any, summaries_identity: str | None = None) -> None:
        """``summaries_identity`` names the index's summaries as a whole (the runner knows it from
        the files' hashes), so that a rule reading all of them need not have them hashed."""
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "asked", {})
        object.__setattr__(self, "summaries_identity", summaries_identity)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._index, name)
        if name.startswith("_"):
            return value
        if name == "summaries":
            return _RecordingMapping(value, self, "summaries")
        if name == "derived":
            return _RecordingMapping(value, self, "derived")
        if callable(value):
            return _RecordingCall(value, self, name)
        self.record(("attribute", name, ()), value)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._index, name, value)

    def derive(self, key: Any, compute: Callable[[Any], Any]) -> Any:
        """The index's run-wide value ``key``, computed from the real index (unrecorded) and
        recorded as one question: the file depends on the value, not on what it was made of."""
        value = self._index.derive(key, compute)
        self.record(("entry", "derived", (_hashable(key),)), value)
        return value

    def record(self, question: Question, answer: Any) -> None:
        """Record ``answer`` to ``question``. The index does not change during a run, so each
        question's answer is fingerprinted once per run, not once per file that asks it (the
        four connector-result rules ask the same of every file)."""
        known = self._index.answer_fingerprints
        if question not in known:
            known[question] = fingerprint(answer)
        self.asked[question] = known[question]


class _RecordingCall:
    __slots__ = ("function", "recorder", "name")

    def __init__(self, function: Callable, recorder: RecordingIndex, name: str) -> None:
        self.function, self.recorder, self.name = function, recorder, name

    def __call__(self, *args: Any, **keywords: Any) -> Any:
        answer = self.function(*args, **keywords)
        positional = tuple(_hashable(arg) for arg in args)
        if keywords:
            question = ("call-keywords", self.name, (positional, tuple(sorted(keywords.items()))))
        else:
            question = ("call", self.name, positional)
        self.recorder.record(question, answer)
        return answer


class _RecordingMapping(Mapping):
    """A read of one entry is one question; anything that sees every entry depends on them all."""

    def __init__(self, mapping: dict, recorder: RecordingIndex, name: str) -> None:
        self.mapping, self.recorder, self.name = mapping, recorder, name

    def _entry(self, key: Any) -> Any:
        value = self.mapping.get(key)
        question = ("entry", self.name, (_hashable(key),))
        if self.name == "summaries":
            self.recorder.record(question, value)
        else:  # `derived` gains entries during the run: what it holds now may not hold later
            self.recorder.asked[question] = fingerprint(value)
        return value

    def __getitem__(self, key: Any) -> Any:
        if self._entry(key) is None and key not in self.mapping:
            raise KeyError(key)
        return self.mapping[key]

    def get(self, key: Any, default: Any = None) -> Any:
        value = self._entry(key)
        return default if value is None and key not in self.mapping else value

    def __contains__(self, key: object) -> bool:
        return self._entry(key) is not None or key in self.mapping

    def __setitem__(self, key: Any, value: Any) -> None:  # `derived` is written by the rules
        self.mapping[key] = value

    def _everything(self) -> None:
        identity = self.recorder.summaries_identity if self.name == "summaries" else None
        self.recorder.asked[("all", self.name, ())] = identity or fingerprint(self.mapping)

    def __iter__(self) -> Iterator:
        self._everything()
        return iter(self.mapping)

    def __len__(self) -> int:
        self._everything()
        return len(self.mapping)


# What a question that cannot be asked today gets: equal to no recorded answer.
_UNANSWERED = object()


class Answers:
    """The current index's answers to recorded questions, each computed once per run."""

    def __init__(self, index: Any, same_index: bool = False, summaries_identity: str | None = None) -> None:
        self.index = index
        self.same_index = same_index   # the index the answers were recorded from: all unchanged
        self.summaries_identity = summaries_identity
        self.known: dict[Question, Any] = {}

    def answer(self, question: Question) -> Any:
        """The fingerprint of the answer today; ``_UNANSWERED`` if the question cannot be asked
        today (a derived value no file has computed yet in this run, a lookup the index lost)."""
        if question not in self.known:
            self.known[question] = self._ask(question)
        return self.known[question]

    def _ask(self, question: Question) -> Any:
        kind, name, args = question
        try:
            if kind == "attribute":
                return fingerprint(getattr(self.index, name))
            if kind == "call":
                return fingerprint(getattr(self.index, name)(*args))
            if kind == "call-keywords":
                positional, keywords = args
                return fingerprint(getattr(self.index, name)(*positional, **dict(keywords)))
            mapping = getattr(self.index, name)
            if kind == "all":
                return (self.summaries_identity if name == "summaries" else None) or fingerprint(mapping)
            if name == "derived" and args[0] not in mapping:
                return _UNANSWERED
            return fingerprint(mapping.get(args[0]))
        except Exception:  # noqa: BLE001 -- an index that changed shape: the file is checked again
            return _UNANSWERED

    def unchanged(self, asked: dict[Question, Any]) -> bool:
        return self.same_index or all(self.answer(question) == answer for question, answer in asked.items())

    def unanswered(self, asked: dict[Question, Any]) -> bool:
        return any(self.answer(question) is _UNANSWERED for question in asked)

    def forget_unanswered(self) -> None:
        """Ask again the questions that had no answer (a derived value computed since)."""
        self.known = {question: answer for question, answer in self.known.items() if answer is not _UNANSWERED}
