"""The runtime's messages in Bahasa Indonesia, translated at the edge.

The runtime writes its messages in English (AlurError and its subclasses, the Problems of a
deploy check, the expression language's refusals). The catalogue,
translations/id/LC_MESSAGES/messages.po (gettext, read with Babel), keys each message by its
template as the code writes it: "task {task_id} is already claimed by {row.claimed_by}".
`translate` takes a formatted message, finds the template it was made from (each compiled
once to a regular expression; the one with the most literal text wins), and fills the
Indonesian text with the values it read. A value is itself translated when it is a message
(the `{exc}` of "could not start: {exc}"); a value that is a user name becomes the person's
name. A message no template matches is shown as it is: most of those are already Indonesian.

tests/web/test_messages.py fails when a message of runtime/ has no entry here.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po
from flask import g, has_request_context

from alur.runtime import people

from .services import engine

CATALOGUE = Path(__file__).parent / "translations" / "id" / "LC_MESSAGES" / "messages.po"
# Placeholders whose value is a user name: shown as the person ("Sekretaris Dinas (Budi Santoso)").
USER_PLACEHOLDERS = frozenset({"user", "username", "row.claimed_by", "found.claimed_by", "task.claimed_by"})
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]+)\}")
# Placeholders holding a message, a place in words or quoted text, which may hold ": ". Any other
# value (an id, a number, a name) never does: so "scenario '{name}', step {number}" does not take
# "scenario 'a', step 1: unknown key 'x'" with number "1: unknown key 'x'".
_FREE_TEXT = re.compile(r"exc|message|msg|issue|hint|what|where|why|failure|claim|context|_short|describe|text")
MAX_DEPTH = 4  # messages inside messages: "condition 'x': calling 'y' is not allowed; the functions are ..."
MAX_CHARS = 5_000  # a longer message is shown as it is: matching stays cheap whatever a message quotes


@dataclass(frozen=True)
class _Template:
    pattern: re.Pattern[str]
    placeholders: tuple[str, ...]  # in the order of the pattern's groups
    text: str  # the Indonesian template
    weight: int  # characters of literal text: the most specific template wins


class Catalogue:
    """Message templates (msgid) and their Indonesian text (msgstr)."""

    def __init__(self, entries: Mapping[str, str]):
        self.entries = dict(entries)
        self._exact: dict[str, str] = {}
        templates = []
        for msgid, msgstr in self.entries.items():
            placeholders = [m.group(1) for m in _PLACEHOLDER.finditer(msgid) if m.group(1)]
            unknown = {m.group(1) for m in _PLACEHOLDER.finditer(msgstr) if m.group(1)} - set(placeholders)
            if unknown:
                raise ValueError(f"{CATALOGUE.name}: msgstr of {msgid!r} has placeholders the msgid lacks: {unknown}")
            if not placeholders:
                self._exact[_unescape(msgid)] = _unescape(msgstr)
                continue
            literal = _PLACEHOLDER.sub(lambda m: "" if m.group(1) else m.group(0)[0], msgid)
            if not literal.strip():
                continue  # "{exc}": nothing to translate but the value itself
            pattern = "".join(re.escape(piece) if not index % 2 else "(.*?)"
                              for index, piece in enumerate(_pieces(msgid)))
            templates.append(_Template(re.compile(pattern, re.S), tuple(placeholders), msgstr, len(literal)))
        self._templates = sorted(templates, key=lambda t: -t.weight)

    def covers(self, template: str) -> bool:
        """Whether `template` (as the code writes it) has an entry."""
        return template in self.entries

    def translate(self, message: str, person: Callable[[str], str] | None = None, _depth: int = 0) -> str:
        """`message` in Indonesian; `person` names the user whose user name a message holds."""
        if not message or _depth > MAX_DEPTH or len(message) > MAX_CHARS:
            return message
        whole = self._whole(message, person, _depth)
        if whole is not None:
            return whole
        # Messages joined into one: lines, then "; " and ", " lists (of reasons, of names).
        for separator in ("\n", "; ", ", "):
            if separator in message:
                return separator.join(self.translate(part, person, _depth) for part in message.split(separator))
        return message

    def _whole(self, message: str, person: Callable[[str], str] | None, depth: int) -> str | None:
        """`message` translated as one entry (exact, or one template), or None."""
        exact = self._exact.get(message)
        if exact is not None:
            return exact
        for template in self._templates:
            match = template.pattern.fullmatch(message)
            if match is None:
                continue
            values: dict[str, str] = {}
            for placeholder, value in zip(template.placeholders, match.groups()):
                if ": " in value and not _FREE_TEXT.search(placeholder):
                    break
                if placeholder in USER_PLACEHOLDERS:
                    values[placeholder] = person(value) if person else value
                elif "; " in value or "\n" in value:
                    # A value spanning a separator is one message, or the match took in a neighbour.
                    inner = self._whole(value, person, depth + 1) if depth < MAX_DEPTH else None
                    if inner is None:
                        break
                    values[placeholder] = inner
                else:
                    values[placeholder] = self.translate(value, person, depth + 1)
            else:
                return _PLACEHOLDER.sub(lambda m: values[m.group(1)] if m.group(1) else m.group(0)[0], template.text)
        return None


def _pieces(msgid: str) -> list[str]:
    """Literal text and placeholders alternating, starting with literal text (maybe empty)."""
    pieces, literal, last = [], "", 0
    for match in _PLACEHOLDER.finditer(msgid):
        literal += msgid[last:match.start()]
        last = match.end()
        if match.group(1) is None:
            literal += match.group(0)[0]  # "{{" is a literal "{"
        else:
            pieces += [literal, match.group(1)]
            literal = ""
    return pieces + [literal + msgid[last:]]


def _unescape(text: str) -> str:
    return text.replace("{{", "{").replace("}}", "}")


@functools.cache
def catalogue() -> Catalogue:
    """The Indonesian catalogue, read once."""
    with CATALOGUE.open("rb") as handle:
        po = read_po(handle, locale="id")
    return Catalogue({m.id: m.string for m in po if m.id and isinstance(m.id, str) and m.string})


def translate(message: str, person: Callable[[str], str] | None = None) -> str:
    """`message` of the runtime in Indonesian (see Catalogue.translate)."""
    return catalogue().translate(message, person)


def shown(message: str) -> str:
    """`message` as the signed-in user reads it: in Indonesian, a user name as the person
    ("Sekretaris Dinas (Budi Santoso)", "Anda" for the user himself); a name no user has stays."""
    user = g.get("user") if has_request_context() else None
    known: list[people.People] = []

    def person(username: str) -> str:
        if user is not None and username == user.username:
            return "Anda"
        if not known:
            known.append(people.people(engine(), user.org if user is not None else None))
        found = known[0].person(username)
        return found.label if found is not None else people.SYSTEM_ACTORS.get(username, username)

    return translate(message, person)
