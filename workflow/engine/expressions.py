"""The language of diagram code, and the sandbox it runs in.

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

Refused while running (the guards): any attribute not in ``_METHODS`` (so no frames,
generators, code objects or ``format``), results larger than ``Limits.size`` items or
characters or ``Limits.int_bits`` bits, more than ``Limits.steps`` loop passes, and running
longer than ``Limits.seconds``. The loop guard is inserted into every ``while`` body and
every ``for``/comprehension iterator, so nothing can loop without passing it; the C-level
work between two passes is bounded by the size limits. Jinja instructions render in a
:class:`jinja2.sandbox.SandboxedEnvironment` with the same operator guard, a filter list,
an output limit and a deadline.
"""

from __future__ import annotations

import ast
import builtins
import operator
import re
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from types import CodeType, FrameType
from typing import Any

from jinja2 import TemplateError, meta
from jinja2.sandbox import SandboxedEnvironment
from RestrictedPython import compile_restricted
from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence
from RestrictedPython.transformer import RestrictingNodeTransformer
from SpiffWorkflow.bpmn.script_engine import BasePythonScriptEngineEnvironment, PythonScriptEngine

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

    kind = "fout"


class UnsafeExpression(DiagramCodeError, ValueError):
    """Code uses something the process language does not allow."""

    kind = "niet toegestaan"


class TooSlow(DiagramCodeError):
    kind = "te lang"


class TooLarge(DiagramCodeError):
    kind = "te groot"


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
_GUARDS = (
    "_getattr_", "_getitem_", "_getiter_", "_iter_unpack_sequence_", "_unpack_sequence_", "_write_",
    "_inplacevar_", "_op_", "_tick_", "_apply_", "__builtins__",
)  # fmt: skip


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


# --- the run-time guards -----------------------------------------------------------------
def _methods(kind: type, names: str) -> dict[type, frozenset[str]]:
    return {kind: frozenset(names.split())}


_METHODS: dict[type, frozenset[str]] = {
    **_methods(str, "lower upper strip lstrip rstrip split startswith endswith title capitalize "
                    "isdigit isalpha isalnum find count join replace casefold splitlines removeprefix removesuffix"),
    **_methods(list, "append index count copy pop insert remove reverse sort"),
    **_methods(tuple, "index count"),
    **_methods(dict, "get keys values items copy pop setdefault update"),
    **_methods(set, "add discard union intersection difference issubset issuperset copy"),
    **_methods(date, "year month day isoformat weekday isoweekday"),
    **_methods(datetime, "year month day hour minute second isoformat weekday isoweekday date"),
    **_methods(Decimal, "quantize is_zero"),
}  # fmt: skip
_TYPE_NAMES = {str: "tekst", list: "lijst", tuple: "rij", dict: "woordenboek", set: "verzameling", int: "getal",
               float: "getal", bool: "ja/nee", date: "datum", datetime: "tijdstip", Decimal: "bedrag"}  # fmt: skip
_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "//": operator.floordiv,
    "%": operator.mod, "**": operator.pow, "<<": operator.lshift, ">>": operator.rshift,
    "&": operator.and_, "|": operator.or_, "^": operator.xor,
}  # fmt: skip
_SIZED = (str, list, tuple, dict, set, frozenset, range, bytes)


class _Ticking:
    """An iterator that passes the loop guard on every item."""

    __slots__ = ("_it", "_tick")

    def __init__(self, it: Iterator[Any], tick: Callable[[], None]) -> None:
        self._it, self._tick = it, tick

    def __iter__(self) -> _Ticking:
        return self

    def __next__(self) -> Any:
        self._tick()
        return next(self._it)


class Budget:
    """The guards of one evaluation or script, with what it has used so far."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or LIMITS
        self.deadline = time.monotonic() + self.limits.seconds
        self.steps = 0
        self.allocated = 0

    # loops
    def tick(self) -> None:
        self.steps += 1
        if self.steps > self.limits.steps:
            raise TooSlow(f"meer dan {self.limits.steps} herhalingen")
        if not self.steps & 0xFF and time.monotonic() > self.deadline:
            raise TooSlow(f"langer dan {self.limits.seconds:g} seconde bezig")

    def getiter(self, value: Any) -> _Ticking:
        self.tick()
        return _Ticking(iter(value), self.tick)

    # sizes
    def charge(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > self.limits.int_bits:
            raise TooLarge(f"een getal van meer dan {self.limits.int_bits} bits")
        if isinstance(value, _SIZED):
            size = len(value)
            if size > self.limits.size:
                raise TooLarge(
                    f"een {_TYPE_NAMES.get(type(value), 'waarde')} van meer dan {self.limits.size} elementen"
                )
            self.allocated += size
            if self.allocated > self.limits.allocated:
                raise TooLarge(f"samen meer dan {self.limits.allocated} elementen gemaakt")
        return value

    def op(self, symbol: str, left: Any, right: Any) -> Any:
        self._precheck(symbol, left, right)
        return self.charge(_BINOPS[symbol](left, right))

    def inplace(self, symbol: str, left: Any, right: Any) -> Any:
        return self.op(symbol.rstrip("="), left, right)

    def _precheck(self, symbol: str, left: Any, right: Any) -> None:
        """Refuse what would take too long or too much memory *before* it is computed."""
        limit_bits, limit_size = self.limits.int_bits, self.limits.size
        if symbol == "%" and isinstance(left, str):
            raise UnsafeExpression("tekst opmaken met % is niet toegestaan; gebruik een f-string")
        if _is_int(left) and _is_int(right):
            if symbol == "**" and right > 0 and abs(left) > 1 and right * left.bit_length() > limit_bits:
                raise TooLarge(f"{_short(left)} ** {_short(right)} geeft een getal van meer dan {limit_bits} bits")
            if symbol == "*" and left.bit_length() + right.bit_length() > limit_bits:
                raise TooLarge(f"een getal van meer dan {limit_bits} bits")
            if symbol == "<<" and right > 0 and left.bit_length() + right > limit_bits:
                raise TooLarge(f"{_short(left)} << {_short(right)} geeft een getal van meer dan {limit_bits} bits")
            return
        if symbol == "**" and isinstance(right, Decimal | float) and abs(float(right)) > 10_000:
            raise TooLarge(f"een macht met exponent {_short(right)}")
        if symbol == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, _SIZED) and _is_int(times) and len(seq) * max(int(times), 0) > limit_size:
                    raise TooLarge(f"een {_TYPE_NAMES.get(type(seq), 'reeks')} van meer dan {limit_size} elementen")
        if (
            symbol == "+"
            and isinstance(left, _SIZED)
            and isinstance(right, _SIZED)
            and len(left) + len(right) > limit_size
        ):
            raise TooLarge(f"een {_TYPE_NAMES.get(type(left), 'reeks')} van meer dan {limit_size} elementen")

    # attribute and item access
    def getattr(self, obj: Any, name: str, default: Any = None) -> Any:
        allowed = _METHODS.get(type(obj), frozenset())
        if name.startswith("_") or name not in allowed:
            raise UnsafeExpression(
                f"‘.{name}’ op een {_TYPE_NAMES.get(type(obj), 'waarde van dit soort')} is niet toegestaan"
            )
        value = getattr(obj, name)
        if isinstance(obj, str) and name in ("join", "replace", "split", "splitlines"):
            return self._charged_method(value)
        return value

    def _charged_method(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            if method.__name__ == "replace" and len(args) >= 2:
                owner = method.__self__  # type: ignore[attr-defined]
                old, new = str(args[0]), str(args[1])
                grows = (owner.count(old) if old else len(owner) + 1) * max(len(new) - len(old), 0)
                if len(owner) + grows > self.limits.size:
                    raise TooLarge(f"een tekst van meer dan {self.limits.size} tekens")
            if method.__name__ == "join" and args:
                parts = list(args[0])
                if sum(len(p) for p in parts if isinstance(p, str)) > self.limits.size:
                    raise TooLarge(f"een tekst van meer dan {self.limits.size} tekens")
                args = (parts, *args[1:])
            return self.charge(method(*args, **kwargs))

        return call

    @staticmethod
    def getitem(obj: Any, key: Any) -> Any:
        if not isinstance(obj, str | list | tuple | dict):
            raise UnsafeExpression(
                f"[…] op een {_TYPE_NAMES.get(type(obj), 'waarde van dit soort')} is niet toegestaan"
            )
        return obj[key]

    @staticmethod
    def write(obj: Any) -> Any:
        if not isinstance(obj, list | dict):
            raise UnsafeExpression(
                f"een {_TYPE_NAMES.get(type(obj), 'waarde van dit soort')} kan niet gewijzigd worden"
            )
        return obj

    # builtins that make sized things
    def safe_range(self, *args: Any) -> range:
        if not all(_is_int(a) for a in args):
            raise UnsafeExpression("range verwacht gehele getallen")
        return self.charge(range(*args))

    def sized(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            return self.charge(function(*args, **kwargs))

        call.__name__ = function.__name__
        return call

    def globals(self, helpers: Mapping[str, Any]) -> dict[str, Any]:
        safe = {name: getattr(builtins, name) for name in SAFE_BUILTIN_NAMES}
        safe["sorted"] = self.sized(sorted)  # the types (list, str, …) stay types, for isinstance
        safe["range"] = self.safe_range
        safe.update({"None": None, "True": True, "False": False})
        return {
            "__builtins__": safe,
            "_getattr_": self.getattr,
            "_getitem_": self.getitem,
            "_getiter_": self.getiter,
            "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
            "_unpack_sequence_": guarded_unpack_sequence,
            "_write_": self.write,
            "_inplacevar_": self.inplace,
            "_op_": self.op,
            "_tick_": self.tick,
            "_apply_": lambda f, *a, **k: f(*a, **k),
            **helpers,
        }


def _is_int(value: Any) -> bool:
    return isinstance(value, int)


def _short(value: Any) -> str:
    text = str(value) if not isinstance(value, int) or value.bit_length() < 64 else "een groot getal"
    return text[:20]


# --- values that may be stored in the case -------------------------------------------------
_SCALARS = (str, int, float, bool, Decimal, date, datetime, type(None))


def check_value(name: str, value: Any, limits: Limits | None = None) -> None:
    """Refuse what cannot be kept in a case's data: functions, generators, huge or deep values."""
    limit = (limits or LIMITS).size
    count = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        count += 1
        if count > limit or depth > 32:
            raise TooLarge(f"de waarde van ‘{name}’ is te groot of te diep genest om te bewaren")
        if isinstance(item, _SCALARS):
            if isinstance(item, str) and len(item) > limit:
                raise TooLarge(f"de tekst in ‘{name}’ is langer dan {limit} tekens")
            continue
        if isinstance(item, list | tuple):
            stack.extend((v, depth + 1) for v in item)
        elif isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
            if not all(isinstance(k, str | int) for k in item):
                raise DiagramCodeError(f"‘{name}’ heeft sleutels die geen tekst of getal zijn")
        elif isinstance(item, set | frozenset):
            raise DiagramCodeError(f"‘{name}’ is een verzameling (set) en kan niet bewaard worden; gebruik sorted(…)")
        else:
            raise DiagramCodeError(
                f"‘{name}’ is geen gegeven (maar een {type(item).__name__}) en kan niet bewaard worden"
            )


# --- running ------------------------------------------------------------------------------
def evaluate_expression(code: str, data: Mapping[str, Any], helpers: Mapping[str, Any] | None = None) -> Any:
    """Evaluate one expression over ``data`` in the sandbox (conditions, functie, controle)."""
    compiled = check_expression(code, "eval")
    budget = Budget()
    scope = {**_public(data), **budget.globals({**DATE_HELPERS, **(helpers or {})})}
    return _guarded(lambda: eval(compiled, scope))  # noqa: S307 - restricted code, guarded globals


def _guarded(function: Callable[[], Any]) -> Any:
    """Turn the interpreter's own limits into Dutch errors."""
    try:
        return function()
    except RecursionError:
        raise TooLarge("te diep genest") from None
    except MemoryError:
        raise TooLarge("te veel geheugen nodig") from None
    except (OverflowError, ArithmeticError) as exc:
        if isinstance(exc, ZeroDivisionError):
            raise
        raise TooLarge("een getal dat te groot is om te berekenen") from None


def _public(context: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in context.items() if not k.startswith("_")}


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow's script environment, running everything through the sandbox."""

    def __init__(self, helpers: Mapping[str, Any]) -> None:
        super().__init__(dict(helpers))

    def _scope(
        self, context: Mapping[str, Any], external_context: Mapping[str, Any] | None
    ) -> tuple[Budget, dict[str, Any]]:
        budget = Budget()
        scope = {**_public(external_context or {}), **_public(context)}
        clashes = sorted(set(scope) & protected_names())
        if clashes:
            raise DiagramCodeError(
                f"een gegeven heet ‘{clashes[0]}’, net als een functie van de procestaal; kies een andere veldnaam"
            )
        scope.update(budget.globals({**DATE_HELPERS, **self.globals}))
        return budget, scope

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        compiled = check_expression(expression, "eval")
        _budget, scope = self._scope(context, external_context)
        return _guarded(lambda: eval(compiled, scope))  # noqa: S307 - restricted code, guarded globals

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        compiled = check_expression(script, "exec")
        _budget, scope = self._scope(context, external_context)
        reserved = set(scope) - set(_public(context)) - set(_public(external_context or {}))
        _guarded(lambda: exec(compiled, scope))  # noqa: S102 - restricted code, guarded globals
        changed: dict[str, Any] = {}
        for name, value in scope.items():
            if name in reserved or name.startswith("_"):
                continue
            if external_context and name in external_context and value is external_context[name]:
                continue
            check_value(name, value)
            changed[name] = value
        for name in [k for k in context if k.startswith("_") or k not in scope]:
            del context[name]  # del in the script, or data that may not be in a script's reach
        context.update(changed)  # only now: a refused script changes nothing
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise UnsafeExpression("servicetaken worden niet ondersteund")


def make_script_engine(run_helpers: Mapping[str, Callable[..., Any]]) -> PythonScriptEngine:
    """A script engine that runs every condition, script and timer in the sandbox."""
    return PythonScriptEngine(environment=SandboxEnvironment(run_helpers))


# --- Jinja instructions ---------------------------------------------------------------------
_FILTERS = [
    "abs",
    "capitalize",
    "count",
    "d",
    "default",
    "e",
    "escape",
    "first",
    "float",
    "int",
    "join",
    "last",
    "length",
    "list",
    "lower",
    "max",
    "min",
    "round",
    "sort",
    "string",
    "sum",
    "title",
    "trim",
    "unique",
    "upper",
]
_BLOCKED_STR_METHODS = frozenset(["format", "format_map", "center", "ljust", "rjust", "zfill", "expandtabs", "replace"])
MAX_INSTRUCTION_CHARS = 100_000


class InstructionTemplates(SandboxedEnvironment):
    """Jinja's sandbox with the diagram limits: guarded operators, a short filter list, no str.format."""

    intercepted_binops = frozenset(["+", "-", "*", "/", "//", "%", "**"])

    def __init__(self) -> None:
        super().__init__(autoescape=False)  # plain text: the page escapes it once
        self.filters = {name: f for name, f in self.filters.items() if name in _FILTERS}
        self.globals = {"range": self.globals["range"]}

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        return Budget().op(operator, left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, str) and attribute in _BLOCKED_STR_METHODS:
            raise UnsafeExpression(f"‘.{attribute}’ is niet toegestaan in een instructie")
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, str) and argument in _BLOCKED_STR_METHODS:
            raise UnsafeExpression(f"‘.{argument}’ is niet toegestaan in een instructie")
        return super().getitem(obj, argument)


_TEMPLATES = InstructionTemplates()


def instruction_problem(text: str) -> str | None:
    """A Dutch message when a task instruction cannot be a template, or None."""
    try:
        _TEMPLATES.from_string(text)  # compiles: unknown filters are found too
    except TemplateError as exc:
        return _jinja_message(exc)
    return None


def _jinja_message(exc: TemplateError) -> str:
    message = str(exc.message or "")
    unknown = re.match(r"No (filter|test) named '([^']*)'", message)
    if unknown:
        kind = "filter" if unknown.group(1) == "filter" else "test"
        allowed = f" (wel: {', '.join(_FILTERS)})" if kind == "filter" else ""
        return f"{kind} ‘{unknown.group(2)}’ bestaat niet of is niet toegestaan{allowed}"
    line = getattr(exc, "lineno", None)
    where = f" op regel {line}" if line else ""
    return f"de instructie is geen geldig sjabloon{where}: controleer de {{{{ … }}}} en {{% … %}}"


def instruction_variables(text: str) -> set[str]:
    try:
        return set(meta.find_undeclared_variables(_TEMPLATES.parse(text))) - set(_TEMPLATES.globals)
    except TemplateError:
        return set()


def render_instruction(text: str, data: Mapping[str, Any], limits: Limits | None = None) -> str:
    """Render once, as plain text, within the time and size limits; raises DiagramCodeError."""
    limit = limits or LIMITS
    try:
        template = _TEMPLATES.from_string(text)
    except TemplateError as exc:
        raise UnsafeExpression(_jinja_message(exc)) from None
    deadline = time.monotonic() + limit.seconds

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename != "<template>":
            return None

        def in_template(frame: FrameType, event: str, arg: Any) -> Any:
            if time.monotonic() > deadline:
                raise TooSlow(f"langer dan {limit.seconds:g} seconde bezig")
            return in_template

        return in_template

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        out: list[str] = []
        size = 0
        for chunk in template.generate(**_public(data)):
            size += len(chunk)
            if size > MAX_INSTRUCTION_CHARS or time.monotonic() > deadline:
                raise TooLarge(f"de instructie wordt langer dan {MAX_INSTRUCTION_CHARS} tekens")
            out.append(chunk)
        return "".join(out)
    except DiagramCodeError:
        raise
    except (RecursionError, MemoryError, OverflowError):
        raise TooLarge("de instructie is te groot om te tonen") from None
    except TemplateError as exc:  # UndefinedError, SecurityError, …
        raise DiagramCodeError(f"de instructie kan niet getoond worden: {_jinja_message(exc)}") from None
    except Exception:  # noqa: BLE001 - a data error (e.g. a number compared with text)
        raise DiagramCodeError(
            "de instructie kan niet getoond worden: een gegeven heeft niet de verwachte vorm"
        ) from None
    finally:
        sys.settrace(previous)
