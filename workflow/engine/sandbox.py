"""The sandbox diagram code runs in: the guards RestrictedPython's compiled code calls, and
SpiffWorkflow's script environment built on them (see ``expressions.py`` for the language).

Every binary operator goes through ``Budget.op`` (sizes refused before they are computed),
every loop through ``Budget.tick`` (steps and time), attributes through a per-type method
list, items and writes only on lists and dicts. What a script keeps must be data.
"""

from __future__ import annotations

import builtins
import operator
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence
from SpiffWorkflow.bpmn.script_engine import BasePythonScriptEngineEnvironment, PythonScriptEngine

from workflow.engine.expressions import (
    DATE_HELPERS,
    LIMITS,
    LOOKUP_HELPERS,
    SAFE_BUILTIN_NAMES,
    DiagramCodeError,
    Limits,
    TooLarge,
    TooSlow,
    UnsafeExpression,
    check_expression,
    protected_names,
)


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
MAX_ARGS = 1000
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
        if time.monotonic() > self.deadline:  # every pass: one pass may be slow (a lookup in the database)
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

    @staticmethod
    def safe_sum(iterable: Any, start: Any = 0) -> Any:
        """sum() of numbers only: summing lists or texts is quadratic in C, out of reach of the loop guard."""
        if not isinstance(start, int | float | Decimal):
            raise UnsafeExpression("sum telt alleen getallen op; voeg lijsten samen met + of een lus")
        return sum(iterable, start)

    def apply(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """A call with *args or **kwargs: at most MAX_ARGS of them (zip(*lijst) over huge lists works in C)."""
        if len(args) + len(kwargs) > MAX_ARGS:
            raise TooLarge(f"een aanroep met meer dan {MAX_ARGS} argumenten")
        return function(*args, **kwargs)

    def sized(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            return self.charge(function(*args, **kwargs))

        call.__name__ = function.__name__
        return call

    def globals(self, helpers: Mapping[str, Any]) -> dict[str, Any]:
        safe = {name: getattr(builtins, name) for name in SAFE_BUILTIN_NAMES}
        safe["sorted"] = self.sized(sorted)  # the types (list, str, …) stay types, for isinstance
        safe["sum"] = self.safe_sum
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
            "_apply_": self.apply,
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
    """Evaluate one expression over ``data`` in the sandbox (``functie="=…"``; the engine's own
    conditions go through SandboxEnvironment). The lookups the check allows are there too."""
    compiled = check_expression(code, "eval")
    budget = Budget()
    scope = {**public(data), **budget.globals({**DATE_HELPERS, **LOOKUP_HELPERS, **(helpers or {})})}
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


def public(context: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in context.items() if not k.startswith("_")}


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow's script environment, running everything through the sandbox."""

    def __init__(self, helpers: Mapping[str, Any]) -> None:
        super().__init__(dict(helpers))

    def _scope(
        self, context: Mapping[str, Any], external_context: Mapping[str, Any] | None
    ) -> tuple[Budget, dict[str, Any]]:
        budget = Budget()
        scope = {**public(external_context or {}), **public(context)}
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
        reserved = set(scope) - set(public(context)) - set(public(external_context or {}))
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
