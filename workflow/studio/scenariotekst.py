"""The text of a scenario file, changed as little as possible: a save rewrites only the scenarios
that changed, so the header and the comments in and between the other scenarios stay.

Each item of the ``scenarios:`` list is a block of lines (its leading comments, then its body).
A changed scenario gets a new body (its own inner comments go: YAML data has no comments); a
removed one loses its block. When the text is laid out in a way this does not follow, or the
result would not read back as exactly the new list, the whole file is written anew below the header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

_SCENARIOS = re.compile(r"^scenarios:\s*(#.*)?$")
_ITEM = re.compile(r"^(?P<indent> *)- ")


class _Dumper(yaml.SafeDumper):
    """Lists inside a mapping indented, as process owners write them (``stappen:`` / ``  - taak:``)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=None, width=110)


@dataclass
class _Blok:
    voor: list[str]  # comment and blank lines before the item
    lijf: list[str]  # the item itself, from its "- " line


def kop(text: str) -> str:
    """The header comment of the scenario file (leading comment and blank lines)."""
    lines = []
    for line in text.splitlines(keepends=True):
        if line.strip() and not line.lstrip().startswith("#"):
            break
        lines.append(line)
    return "".join(lines)


def geheel(header: str, content: dict[str, Any]) -> str:
    """The whole file anew: the header, then the data."""
    return (header.rstrip("\n") + "\n\n" if header.strip() else "") + dump(content)


def herschreven(text: str, oud: list[Any], nieuw: list[Any], *, verwijderd: int | None = None) -> str | None:
    """``text`` with its scenario list changed from ``oud`` to ``nieuw`` (index ``verwijderd`` removed
    first); None when the layout is not one this can change safely."""
    delen = _delen(text)
    if delen is None:
        return None
    begin, blokken, eind, indent = delen
    if len(blokken) != len(oud):
        return None
    if verwijderd is not None:
        del blokken[verwijderd], oud[verwijderd]
    for i, item in enumerate(nieuw):
        if i < len(blokken) and oud[i] == item:
            continue
        lijf = _ingesprongen(item, indent)
        if i < len(blokken):
            blokken[i].lijf = lijf
        else:
            blokken.append(_Blok(["\n"], lijf))
    del blokken[len(nieuw) :]
    result = "".join(begin + [line for b in blokken for line in b.voor + b.lijf] + eind)
    try:
        terug = yaml.safe_load(result)
    except yaml.YAMLError:
        return None
    return result if isinstance(terug, dict) and terug.get("scenarios") == nieuw else None


def _ingesprongen(item: Any, indent: str) -> list[str]:
    return [indent + line if line.strip() else line for line in dump([item]).splitlines(keepends=True)]


def _delen(text: str) -> tuple[list[str], list[_Blok], list[str], str] | None:
    """(lines up to ``scenarios:``, the item blocks, the lines after the list, the item indent)."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    start = next((i for i, line in enumerate(lines) if _SCENARIOS.match(line)), None)
    if start is None:
        return None
    blokken: list[_Blok] = []
    wachtend: list[str] = []
    indent: str | None = None
    for i in range(start + 1, len(lines)):
        line = lines[i]
        item = _ITEM.match(line)
        if not line.strip() or line.lstrip().startswith("#"):
            wachtend.append(line)
        elif item and (indent is None or item["indent"] == indent):
            indent = item["indent"]
            blokken.append(_Blok(wachtend, [line]))
            wachtend = []
        elif blokken and indent is not None and line.startswith(indent + " "):
            blokken[-1].lijf += wachtend + [line]
            wachtend = []
        else:  # the next top-level key: the list ended
            return lines[: start + 1], blokken, wachtend + lines[i:], indent or "  "
    return lines[: start + 1], blokken, wachtend, indent or "  "
