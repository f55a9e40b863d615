"""The language of diagram code: what it may contain and call, checked when it is compiled.

Every piece of code a process owner writes in a diagram (gateway conditions, script tasks,
pre/post scripts, timer expressions, ``controle``, ``functie="=…"``) is compiled with
RestrictedPython under :class:`DiagramPolicy` and run with guards, never with plain
eval/exec. What a diagram may use:

- literals, names, arithmetic, comparisons, ``if``/``for``/``while``, comprehensions,
  f-strings with a fixed format, subscripts, ``del`` of a variable;
- the builtins in ``SAFE_BUILTIN_NAMES`` and the helpers (``DATE_HELPERS``, ``RUN_HELPERS``,
  ``LOOKUP_HELPERS``);
- the methods in ``_METHODS`` on text, lists, dicts, dates and amounts.

Refused when the diagram is checked (statically): import, function, class and lambda
definitions, ``:=``, try/raise/with, global/nonlocal, yield/await, names and attributes that
start with ``_``, rebinding a builtin or helper name, attribute assignment, ``print``,
``%``-formatting and f-string widths over ``MAX_FORMAT_WIDTH``.

Refused while running (the guards, in ``sandbox.py``): any attribute not in ``_METHODS`` (so no frames,
generators, code objects or ``format``), results larger than ``Limits.size`` items or
characters or ``Limits.int_bits`` bits, more than ``Limits.steps`` loop passes, and running
longer than ``Limits.seconds``. The loop guard is inserted into every ``while`` body and
every ``for``/comprehension iterator, so nothing can loop without passing it; the C-level
work between two passes is bounded by the size limits. Jinja instructions
(``instructies.py``) render in a :class:`jinja2.sandbox.SandboxedEnvironment` with the same
operator guard, a filter list, an output limit and a deadline.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from types import CodeType
from typing import Any

from RestrictedPython import compile_restricted
from RestrictedPython.transformer import RestrictingNodeTransformer

SAFE_BUILTIN_NAMES = (
    "abs", "all", "any", "bool", "dict", "enumerate", "float", "int", "isinstance", "len", "list",
    "max", "min", "range", "reversed", "round", "set", "sorted", "str", "sum", "tuple", "zip",
)  # fmt: skip
MAX_FORMAT_WIDTH = 1000
FILENAME = "<diagram>"


@dataclass
class Limits:
    """What one evaluation or script may cost (``SCRIPT_TIME_LIMIT`` etc. in config.py)."""

    seconds: float = 1.0
    steps: int = 2_000_000  # loop passes
    size: int = 1_000_000  # items in one list/dict/range, characters in one text
    allocated: int = 5_000_000  # items and characters made by the guards in one run
    int_bits: int = 10_000


LIMITS = Limits()


class DiagramCodeError(Exception):
    """Diagram code was refused or stopped; the message is Dutch, for a process owner."""


class UnsafeExpression(DiagramCodeError, ValueError):
    """Code uses something the process language does not allow."""


class TooSlow(DiagramCodeError):
    """Code ran past its step or time limit."""


class TooLarge(DiagramCodeError):
    """Code made something past a size limit."""


# --- helpers every expression may call -------------------------------------------------
def vandaag() -> date:
    return datetime.now(UTC).date()


def nu() -> datetime:
    return datetime.now(UTC)


def datum(waarde: str | date) -> date:
    """A date from an ISO string (2026-07-31) or a date."""
    if isinstance(waarde, datetime):
        return waarde.date()
    if isinstance(waarde, date):
        return waarde
    try:
        return date.fromisoformat(str(waarde)[:10])
    except ValueError:
        raise DiagramCodeError(f"‘{str(waarde)[:40]}’ is geen datum (schrijf 2026-07-31)") from None


def plus_dagen(waarde: str | date, dagen: int) -> date:
    return datum(waarde) + timedelta(days=_small_int(dagen))


def plus_weken(waarde: str | date, weken: int) -> date:
    return datum(waarde) + timedelta(weeks=_small_int(weken))


def tijdstip(waarde: str | date) -> str:
    """An ISO timestamp (UTC midnight) for a timeDate timer: tijdstip(plus_weken(x, -12))."""
    return datetime.combine(datum(waarde), datetime.min.time(), tzinfo=UTC).isoformat()


def bedrag(waarde: Any) -> Decimal:
    try:
        return Decimal(str(waarde)[:100])
    except ArithmeticError:
        raise DiagramCodeError(f"‘{str(waarde)[:40]}’ is geen bedrag") from None


def _small_int(value: Any) -> int:
    if not isinstance(value, int) or abs(value) > 100_000:
        raise DiagramCodeError(f"‘{str(value)[:40]}’ is geen aantal (een geheel getal tot 100000)")
    return value


# Helpers every expression may call; zet_status is bound per run (see run.Run).
DATE_HELPERS: dict[str, Callable[..., Any]] = {
    "vandaag": vandaag,
    "nu": nu,
    "datum": datum,
    "plus_dagen": plus_dagen,
    "plus_weken": plus_weken,
    "tijdstip": tijdstip,
    "bedrag": bedrag,
}
RUN_HELPERS = ("zet_status", "start_aanpak")
# Helpers that look something up in the database (e.g. resterend_budget); registered by the
# workflow module that provides them, and stubbed by scenario files (see scenarios.py).
LOOKUP_HELPERS: dict[str, Callable[..., Any]] = {}


def register_lookup_helper(name: str, function: Callable[..., Any]) -> None:
    LOOKUP_HELPERS[name] = function
    _compiled.cache_clear()


def allowed_calls() -> frozenset[str]:
    return frozenset(SAFE_BUILTIN_NAMES) | frozenset(DATE_HELPERS) | frozenset(RUN_HELPERS) | frozenset(LOOKUP_HELPERS)


_CONSTANTS = ("None", "True", "False")
def protected_names() -> frozenset[str]:
    """Names diagram code may call but never assign, delete or use as a loop variable."""
    return allowed_calls() | frozenset(_CONSTANTS)


# --- the static policy -------------------------------------------------------------------
_REFUSED: dict[str, str] = {
    "Import": "import is niet toegestaan",
    "ImportFrom": "import is niet toegestaan",
    "FunctionDef": "functies definiëren is niet toegestaan",
    "AsyncFunctionDef": "functies definiëren is niet toegestaan",
    "ClassDef": "klassen definiëren is niet toegestaan",
    "Lambda": "lambda is niet toegestaan",
    "NamedExpr": "toekennen binnen een expressie (:=) is niet toegestaan",
    "Global": "global is niet toegestaan",
    "Nonlocal": "nonlocal is niet toegestaan",
    "With": "with is niet toegestaan",
    "AsyncWith": "with is niet toegestaan",
    "AsyncFor": "async is niet toegestaan",
    "Try": "try is niet toegestaan",
    "TryStar": "try is niet toegestaan",
    "Raise": "raise is niet toegestaan",
    "Yield": "yield is niet toegestaan",
    "YieldFrom": "yield is niet toegestaan",
    "Await": "await is niet toegestaan",
    "Match": "match is niet toegestaan",
    "MatMult": "de operator @ is niet toegestaan",
}
_BINOP_SYMBOLS: dict[type[ast.operator], str] = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
    ast.Pow: "**", ast.LShift: "<<", ast.RShift: ">>", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^",
}  # fmt: skip
_DIGITS = re.compile(r"\d+")


class DiagramPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy, narrowed for diagrams, with Dutch messages.

    On top of RestrictedPython: the refusals in ``_REFUSED``; no rebinding of helper names; every
    binary operator goes through ``_op_`` (size limits); every ``while`` body starts with
    ``_tick_()`` (step and time limits; ``for`` and comprehensions tick in ``_getiter_``)."""

    def error(self, node: ast.AST, info: str) -> None:
        """RestrictedPython's own refusals (English), in Dutch."""
        self.refuse(node, _dutch(info))

    def refuse(self, node: ast.AST, message: str) -> None:
        line = getattr(node, "lineno", None)
        self.errors.append(f"regel {line}: {message}" if line else message)

    def not_allowed(self, node: ast.AST) -> None:
        name = type(node).__name__
        self.refuse(node, _REFUSED.get(name, f"{name} is niet toegestaan"))

    def visit(self, node: ast.AST) -> Any:
        if type(node).__name__ in _REFUSED:
            self.not_allowed(node)
            return node
        return super().visit(node)

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id in ("print", "printed"):
            self.refuse(node, "print is niet toegestaan (zet de waarde in een variabele)")
            return node
        if isinstance(node.ctx, ast.Store | ast.Del) and node.id in protected_names():
            self.refuse(node, f"‘{node.id}’ is een functie van de procestaal en kan niet overschreven worden")
            return node
        return super().visit_Name(node)

    def visit_Call(self, node: ast.Call) -> Any:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name and name not in allowed_calls() and not name.startswith("_") and name != "print":
            known = ", ".join(sorted(set(DATE_HELPERS) | set(RUN_HELPERS) | set(LOOKUP_HELPERS)))
            self.refuse(node, f"functie ‘{name}’ bestaat niet in de procestaal (wel: {known}, len, sum, sorted, …)")
            return node
        return super().visit_Call(node)

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        if not isinstance(node.ctx, ast.Load):
            self.refuse(node, f"een attribuut wijzigen (.{node.attr} = …) is niet toegestaan")
            return node
        return super().visit_Attribute(node)

    def visit_Delete(self, node: ast.Delete) -> Any:
        if not all(isinstance(t, ast.Name) for t in node.targets):
            self.refuse(node, "del mag alleen een variabele verwijderen")
            return node
        return self.node_contents_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = self.node_contents_visit(node)
        symbol = _BINOP_SYMBOLS.get(type(node.op))
        if symbol is None:
            self.not_allowed(node.op)
            return node
        literal_text = isinstance(node.left, ast.Constant) and isinstance(node.left.value, str)
        if symbol == "%" and (literal_text or isinstance(node.left, ast.JoinedStr)):
            self.refuse(node, 'tekst opmaken met % is niet toegestaan; gebruik een f-string: f"{naam}"')
            return node
        call = ast.Call(
            func=ast.Name("_op_", ast.Load()), args=[ast.Constant(symbol), node.left, node.right], keywords=[]
        )
        return ast.fix_missing_locations(ast.copy_location(call, node))

    def visit_While(self, node: ast.While) -> Any:
        node = self.node_contents_visit(node)
        tick = ast.Expr(ast.Call(func=ast.Name("_tick_", ast.Load()), args=[], keywords=[]))
        node.body.insert(0, ast.fix_missing_locations(ast.copy_location(tick, node)))
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        spec = node.format_spec
        if spec is not None:
            parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
            if not all(isinstance(p, ast.Constant) for p in parts):
                self.refuse(node, "een berekende opmaak in een f-string is niet toegestaan")
                return node
            text = "".join(str(p.value) for p in parts if isinstance(p, ast.Constant))
            if any(int(n) > MAX_FORMAT_WIDTH for n in _DIGITS.findall(text)):
                self.refuse(
                    node, f"een breedte of precisie boven {MAX_FORMAT_WIDTH} in een f-string is niet toegestaan"
                )
                return node
        return super().visit_FormattedValue(node)


_STARTS = 'because it starts with "_"'
_TRANSLATIONS = (
    (re.compile(rf'"(.+)" is an invalid variable name {_STARTS}'), "naam ‘{0}’ mag niet (begint met _)"),
    (re.compile(rf'"(.+)" is an invalid attribute name {_STARTS}\.?'), "attribuut ‘{0}’ mag niet (begint met _)"),
    (re.compile(r'"(.+)" is an invalid attribute name because it ends with "__roles__"'), "‘{0}’ is niet toegestaan"),
    (re.compile(r'"(.+)" is a reserved name\.?'), "‘{0}’ is een gereserveerde naam"),
    (re.compile(r"(\w+) statements are not allowed\.?"), "{0} is niet toegestaan"),
    (re.compile(r"(\w+) calls are not allowed\.?"), "{0} is niet toegestaan"),
    (re.compile(r'"(.+)" is a restricted name, that is forbidden to access in RestrictedPython.*'), "‘{0}’ mag niet"),
)  # fmt: skip


def _dutch(info: str) -> str:
    for pattern, dutch in _TRANSLATIONS:
        match = pattern.fullmatch(info.strip())
        if match:
            return dutch.format(*match.groups())
    return "deze schrijfwijze is niet toegestaan in een diagram"


class _Refused(Exception):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


@lru_cache(maxsize=4096)
def _compiled(code: str, mode: str) -> CodeType | _Refused:
    """Compiled code, or why it is refused (cached: the same condition runs on every case)."""
    try:
        tree = ast.parse(code, filename=FILENAME, mode=mode)
    except SyntaxError as exc:
        return _Refused(f"syntaxfout: {_syntax_message(exc)} (regel {exc.lineno})")
    except (ValueError, MemoryError, RecursionError):
        return _Refused("de code kan niet gelezen worden (te diep genest of een nul-teken)")
    if len(code) > 100_000:
        return _Refused("de code is te lang (meer dan 100000 tekens)")
    try:
        result = compile_restricted(tree, filename=FILENAME, mode=mode, policy=DiagramPolicy)  # type: ignore[arg-type]
    except SyntaxError as exc:  # RestrictedPython reports all its refusals this way
        problems = [exc.msg] if isinstance(exc.msg, str) else list(dict.fromkeys(exc.args[0]))
        if "\n" not in code.strip():  # one line: "regel 1:" says nothing
            problems = [p.removeprefix("regel 1: ") for p in problems]
        return _Refused("; ".join(problems))
    except (RecursionError, MemoryError):
        return _Refused("de code is te diep genest")
    return result


def _syntax_message(exc: SyntaxError) -> str:
    known = {
        "invalid syntax": "ongeldige schrijfwijze",
        "unexpected EOF while parsing": "de code houdt onverwacht op",
        "unterminated string literal": "een tekst tussen aanhalingstekens is niet afgesloten",
        "unexpected indent": "onverwachte inspringing",
        "expected an indented block": "hier hoort een ingesprongen blok",
        "unindent does not match any outer indentation level": "de inspringing klopt niet",
        "'(' was never closed": "een ‘(’ wordt niet gesloten",
        "'[' was never closed": "een ‘[’ wordt niet gesloten",
        "invalid decimal literal": "ongeldig getal",
    }
    message = str(exc.msg or "")
    if "Maybe you meant '==' or ':=' instead of '='" in message:
        return "gebruik == om te vergelijken (= kent een waarde toe)"
    for english, dutch in known.items():
        if message.startswith(english):
            return dutch
    return "ongeldige schrijfwijze"


def check_expression(code: str, mode: str = "eval") -> CodeType:
    """The compiled code; raises UnsafeExpression when ``code`` is not allowed."""
    result = _compiled(code, mode)
    if isinstance(result, _Refused):
        raise UnsafeExpression(result.problem)
    return result


def expression_problem(code: str | None, mode: str = "eval") -> str | None:
    """A Dutch message for what is wrong with ``code``, or None when it is fine."""
    if code is None or not str(code).strip():
        return "lege expressie"
    result = _compiled(str(code), mode)
    return result.problem if isinstance(result, _Refused) else None
