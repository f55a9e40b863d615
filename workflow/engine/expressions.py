"""Safe expressions: what a BPMN condition, script or timer may contain and call.

SpiffWorkflow runs them with plain eval/exec, which is no sandbox (see the notes): restricted
builtins alone still allow ``().__class__.__base__.__subclasses__()``. So every expression is
checked on its syntax tree when a diagram is loaded *and* again before each run.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

SAFE_BUILTIN_NAMES = (
    "abs", "all", "any", "bool", "dict", "float", "int", "len", "list", "max", "min",
    "range", "round", "set", "sorted", "str", "sum", "tuple", "zip", "isinstance",
)  # fmt: skip
SAFE_BUILTINS: dict[str, Any] = {n: getattr(builtins, n) for n in SAFE_BUILTIN_NAMES}
SAFE_BUILTINS.update({"None": None, "True": True, "False": False})


class UnsafeExpression(ValueError):
    """An expression uses something the process language does not allow."""


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
    return date.fromisoformat(str(waarde)[:10])


def plus_dagen(waarde: str | date, dagen: int) -> date:
    return datum(waarde) + timedelta(days=dagen)


def plus_weken(waarde: str | date, weken: int) -> date:
    return datum(waarde) + timedelta(weeks=weken)


def tijdstip(waarde: str | date) -> str:
    """An ISO timestamp (UTC midnight) for a timeDate timer: tijdstip(plus_weken(x, -12))."""
    return datetime.combine(datum(waarde), datetime.min.time(), tzinfo=UTC).isoformat()


def bedrag(waarde: Any) -> Decimal:
    return Decimal(str(waarde))


# Helpers every expression may call; zet_status is bound per run (see engine.Run).
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
# workflow module that provides them, and stubbed by scenario files (see workflow/engine/scenarios.py).
LOOKUP_HELPERS: dict[str, Callable[..., Any]] = {}


def register_lookup_helper(name: str, function: Callable[..., Any]) -> None:
    LOOKUP_HELPERS[name] = function
    check_expression.cache_clear()


def allowed_calls() -> frozenset[str]:
    return frozenset(SAFE_BUILTIN_NAMES) | frozenset(DATE_HELPERS) | frozenset(RUN_HELPERS) | frozenset(LOOKUP_HELPERS)

_FORBIDDEN_NODES: dict[type[ast.AST], str] = {
    ast.Import: "import is niet toegestaan",
    ast.ImportFrom: "import is niet toegestaan",
    ast.FunctionDef: "functies definiëren is niet toegestaan",
    ast.AsyncFunctionDef: "functies definiëren is niet toegestaan",
    ast.ClassDef: "klassen definiëren is niet toegestaan",
    ast.Lambda: "lambda is niet toegestaan",
    ast.Global: "global is niet toegestaan",
    ast.Nonlocal: "nonlocal is niet toegestaan",
    ast.With: "with is niet toegestaan",
    ast.Try: "try is niet toegestaan",
    ast.Raise: "raise is niet toegestaan",
    ast.Delete: "del is niet toegestaan",
    ast.Yield: "yield is niet toegestaan",
    ast.YieldFrom: "yield is niet toegestaan",
    ast.Await: "await is niet toegestaan",
}


class _Guard(ast.NodeVisitor):
    def generic_visit(self, node: ast.AST) -> None:
        for kind, message in _FORBIDDEN_NODES.items():
            if isinstance(node, kind):
                raise UnsafeExpression(message)
        super().generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id.startswith("_"):
            raise UnsafeExpression(f"naam {node.id!r} is niet toegestaan (begint met _)")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr.startswith("_"):
            raise UnsafeExpression(f"attribuut {node.attr!r} is niet toegestaan (begint met _)")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and "__" in node.value:
            raise UnsafeExpression("tekst met '__' is niet toegestaan")

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)  # report a forbidden name or attribute first
        func = node.func
        if not isinstance(func, ast.Name):
            raise UnsafeExpression("alleen aanroepen van toegestane functies (geen methodes)")
        if func.id not in allowed_calls():
            allowed = ", ".join(sorted(set(DATE_HELPERS) | set(RUN_HELPERS) | set(LOOKUP_HELPERS)))
            raise UnsafeExpression(f"functie {func.id!r} is niet toegestaan (wel: {allowed}, …)")


@lru_cache(maxsize=2048)
def check_expression(code: str, mode: str = "eval") -> None:
    """Raise UnsafeExpression or SyntaxError when ``code`` is not allowed."""
    _Guard().visit(ast.parse(code, mode=mode))


def expression_problem(code: str | None, mode: str = "eval") -> str | None:
    """A Dutch message for what is wrong with ``code``, or None when it is fine."""
    if code is None or not str(code).strip():
        return "lege expressie"
    try:
        check_expression(code, mode)
    except SyntaxError as exc:
        return f"syntaxfout: {exc.msg} (regel {exc.lineno})"
    except UnsafeExpression as exc:
        return str(exc)
    return None


def _public(context: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in context.items() if not k.startswith("_")}


class GuardedEnvironment(TaskDataEnvironment):
    """TaskDataEnvironment that checks every expression before eval/exec."""

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        check_expression(expression, "eval")
        return super().evaluate(expression, _public(context), external_context)

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        check_expression(script, "exec")
        for key in [k for k in context if k.startswith("_")]:
            context.pop(key)
        return bool(super().execute(script, context, external_context))


def make_script_engine(run_helpers: Mapping[str, Callable[..., Any]]) -> PythonScriptEngine:
    """A script engine with safe builtins, the date helpers and this run's helpers."""
    env_globals: dict[str, Any] = {"__builtins__": SAFE_BUILTINS, **DATE_HELPERS, **run_helpers}
    return PythonScriptEngine(environment=GuardedEnvironment(env_globals))
