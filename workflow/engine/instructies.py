"""Task instructions: Jinja templates over the case data, rendered once as plain text in a
narrowed :class:`jinja2.sandbox.SandboxedEnvironment` (the page escapes them once).
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Mapping
from types import FrameType
from typing import Any

from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from workflow.engine.expressions import LIMITS, DiagramCodeError, Limits, TooLarge, TooSlow, UnsafeExpression
from workflow.engine.sandbox import Budget, public

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


def render_instruction(
    text: str, data: Mapping[str, Any], limits: Limits | None = None, helpers: Mapping[str, Any] | None = None
) -> str:
    """Render once, as plain text, within the time and size limits; raises DiagramCodeError.

    ``helpers`` are the lookups a diagram may call in an instruction (``budget_stand(...)``); the
    case data cannot hide them."""
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
        for chunk in template.generate(**{**public(data), **(helpers or {})}):
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
