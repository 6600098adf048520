"""What is asked: a ListModels query, validated before any API call.

`ModelQuery.build(...)` accepts what a person writes (tags as a dict, conditions as strings like
`"ParameterSize<3000"`) and either returns a normalised, hashable query or raises `InvalidQuery`
naming the parameter and what is allowed. Its fields are the query arguments of `contract.ARGUMENTS`;
the transport (`client`) turns them into the SDK's request, and the rules applied after the server
(`name_regex`, the exact-name check) live with the other picking rules in `selection`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .contract import MAX_TEXT_LENGTH, QUERY, arguments
from .errors import InvalidQuery
from .types import parse_time

__all__ = ["OPERATORS", "ORDERS", "SORT_FIELDS", "Condition", "ModelQuery", "text_argument"]

#: API operator names, and the symbols accepted for them (`"ParameterSize<3000"`).
OPERATORS: dict[str, str] = {
    "Equal": "=",
    "NotEqual": "!=",
    "LessThan": "<",
    "LessThanOrEqual": "<=",
    "GreaterThan": ">",
    "GreaterThanOrEqual": ">=",
}
_SYMBOLS = {symbol: name for name, symbol in OPERATORS.items()} | {"==": "Equal"}
_ORDERING = {"LessThan", "LessThanOrEqual", "GreaterThan", "GreaterThanOrEqual"}
_COLUMN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
_CONDITION_TEXT = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*(<=|>=|!=|==|<|>|=)\s*(.*?)\s*$")

#: The values `order` and `sort_by` allow (PAI sorts only by creation time).
ORDERS = ("ASC", "DESC")
SORT_FIELDS = ("GmtCreateTime",)
_MAX_INT = 10**MAX_TEXT_LENGTH
_TEXT_ARGUMENTS = tuple(a.name for a in arguments(QUERY) if a.kind == "string")


def text_argument(parameter: str, value: Any, *, allow_empty: bool = True) -> str | None:
    """`value` checked as a text argument named `parameter` (type, length, control characters, UTF-8); "" is None."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidQuery(parameter, f"expected a string, got {type(value).__name__}")
    if len(value) > MAX_TEXT_LENGTH:
        raise InvalidQuery(parameter, f"is {len(value)} characters long", f"at most {MAX_TEXT_LENGTH}")
    if any(ord(ch) < 32 for ch in value):
        raise InvalidQuery(parameter, "contains a control character", "printable text")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: it cannot be sent
        raise InvalidQuery(parameter, "is not valid Unicode text (it holds a lone surrogate)", "text in UTF-8") from None
    if value == "":
        if not allow_empty:
            raise InvalidQuery(parameter, "is empty", "a non-empty string")
        return None
    return value


def _is_time(text: str) -> bool:
    try:
        return parse_time(text) is not None
    except (OverflowError, ValueError):  # e.g. 0001-01-01T00:00:00+05:00 is before the year 1 in UTC
        return False


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


@dataclass(frozen=True)
class Condition:
    """A server-side condition on a model field, e.g. `Condition("ParameterSize", "LessThan", "3000")`."""

    column: str
    operator: str
    value: str

    @classmethod
    def parse(cls, item: Any, parameter: str = "conditions") -> Condition:
        """Validate one condition given as a `Condition`, a dict, a 3-tuple or text like `"ParameterSize<3000"`."""
        column: Any
        operator: Any
        value: Any
        if isinstance(item, Condition):
            column, operator, value = item.column, item.operator, item.value
        elif isinstance(item, Mapping):
            lowered = {str(k).lower(): v for k, v in item.items()}
            unknown = set(lowered) - {"column", "operator", "value"}
            if unknown:
                raise InvalidQuery(parameter, f"unknown key(s) {sorted(unknown)}", "column, operator, value")
            column, operator, value = lowered.get("column"), lowered.get("operator"), lowered.get("value")
        elif isinstance(item, (tuple, list)) and len(item) == 3:
            column, operator, value = item
        elif isinstance(item, str):
            if len(item) > 2 * MAX_TEXT_LENGTH:  # checked first: the pattern below is slow on very long text
                raise InvalidQuery(parameter, f"a condition is {len(item)} characters long", f"at most {2 * MAX_TEXT_LENGTH}")
            found = _CONDITION_TEXT.match(item)
            if not found:
                raise InvalidQuery(
                    parameter, f"cannot read condition {item[:80]!r}", "COLUMN OP VALUE with OP one of < <= > >= = !="
                )
            column, operator, value = found.groups()
        else:
            raise InvalidQuery(parameter, f"expected a Condition, dict or text, got {type(item).__name__}")

        if not isinstance(column, str) or not column.strip():
            raise InvalidQuery(f"{parameter}.column", "is empty", "a model field name such as ParameterSize")
        column = column.strip()
        if not _COLUMN.match(column):
            raise InvalidQuery(f"{parameter}.column", f"{column[:80]!r} is not a field name", "letters and digits, e.g. ParameterSize")
        if not isinstance(operator, str):
            raise InvalidQuery(f"{parameter}.operator", f"expected a string, got {type(operator).__name__}")
        operator = _SYMBOLS.get(operator.strip(), operator.strip())
        if operator not in OPERATORS:
            raise InvalidQuery(
                f"{parameter}.operator",
                f"unknown operator {operator[:40]!r}",
                ", ".join(OPERATORS) + " (or < <= > >= = !=)",
            )
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise InvalidQuery(f"{parameter}.value", f"expected a string or number, got {type(value).__name__}")
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidQuery(f"{parameter}.value", f"{value} is not a finite number")
        if isinstance(value, int) and abs(value) >= _MAX_INT:  # str() of a huge int fails, float() of it overflows
            raise InvalidQuery(f"{parameter}.value", f"a number of more than {MAX_TEXT_LENGTH} digits", f"at most {MAX_TEXT_LENGTH} digits")
        if isinstance(value, str):
            value = value.strip()
        elif isinstance(value, int):
            value = str(value)
        else:
            value = str(int(value)) if value.is_integer() else repr(value)
        value = text_argument(f"{parameter}.value", value, allow_empty=False) or ""
        if operator in _ORDERING:
            is_time = column.startswith("Gmt")
            if is_time and not _is_time(value):
                raise InvalidQuery(
                    f"{parameter}.value", f"{value[:80]!r} is not a timestamp for {operator} on {column}", "e.g. 2024-01-31T00:00:00Z"
                )
            if not is_time and not _is_number(value):
                raise InvalidQuery(f"{parameter}.value", f"{value[:80]!r} is not a number for {operator} on {column}", "a number")
        return cls(column, operator, value)

    def as_dict(self) -> dict[str, str]:
        """`{"column": ..., "operator": ..., "value": ...}`, as a program or the state spells it."""
        return {"column": self.column, "operator": self.operator, "value": self.value}

    def __str__(self) -> str:
        return f"{self.column} {self.operator} {self.value}"


def _tags(value: Any) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if isinstance(value, Mapping):
        lowered = {str(k).lower() for k in value}
        if lowered == {"key", "value"}:  # a single {"Key": .., "Value": ..} object
            items: Iterable[Any] = [value]
        else:
            items = list(value.items())
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        raise InvalidQuery("tags", f"expected a dict or a list of Key/Value pairs, got {type(value).__name__}")
    pairs: list[tuple[str, str]] = []
    for item in items:
        key: Any
        val: Any
        if isinstance(item, Mapping):
            fields = {str(k).lower(): v for k, v in item.items()}
            if set(fields) - {"key", "value"}:
                raise InvalidQuery("tags", f"unknown key(s) {sorted(set(fields) - {'key', 'value'})}", "key, value")
            key, val = fields.get("key"), fields.get("value")
        elif isinstance(item, (tuple, list)) and len(item) == 2:
            key, val = item
        elif isinstance(item, str) and "=" in item:
            key, val = item.split("=", 1)
        else:
            allowed = "{'key': 'value'} or [{'Key': .., 'Value': ..}] or 'key=value'"
            raise InvalidQuery("tags", f"cannot read tag {str(item)[:80]!r}", allowed)
        if key is None:
            raise InvalidQuery("tags.key", "is missing", "a non-empty string")
        key_text = text_argument("tags.key", key, allow_empty=False) or ""
        if val is None:  # unset: no filter (Pulumi drops a null map value before a provider sees it: so does every door)
            continue
        if isinstance(val, (int, float)) and not isinstance(val, bool):
            val = str(val)
        pairs.append((key_text, text_argument("tags.value", val) or ""))
    return tuple(dict.fromkeys(pairs))


def _collections(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise InvalidQuery("collections", f"expected a string or a list of strings, got {type(value).__name__}")
    names = []
    for item in items:
        name = text_argument("collections", item)
        if name and name.strip():
            if "," in name:
                raise InvalidQuery("collections", f"{name[:80]!r} contains a comma", "one collection name per list item")
            names.append(name.strip())
    return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class ModelQuery:
    """A validated ListModels query plus the client-side `name_regex`. Hashable: equal queries coalesce."""

    workspace_id: str | None = None
    model_name: str | None = None
    label: str | None = None
    provider: str | None = None
    domain: str | None = None
    task: str | None = None
    origin: str | None = None
    query: str | None = None
    model_type: str | None = None
    collections: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    conditions: tuple[Condition, ...] = ()
    order: str | None = None
    sort_by: str | None = None
    name_regex: str | None = None

    @classmethod
    def build(cls, **args: Any) -> ModelQuery:
        """Validate and normalise what a caller wrote (the query arguments, by name); raises `InvalidQuery`."""
        unknown = sorted(set(args) - {a.name for a in arguments(QUERY)})
        if unknown:
            raise TypeError(f"ModelQuery.build() got unexpected argument(s) {unknown}")
        text = {name: text_argument(name, args.get(name)) for name in _TEXT_ARGUMENTS}
        conditions = args.get("conditions")
        name = text["model_name"]
        if name is not None and name.startswith('"') and (len(name) < 3 or not name.endswith('"')):
            raise InvalidQuery("model_name", "an exact name must be wrapped in double quotes on both sides", '"name"')
        if conditions is None:
            parsed_conditions: tuple[Condition, ...] = ()
        elif isinstance(conditions, (str, Condition, Mapping)):
            parsed_conditions = (Condition.parse(conditions),)
        elif isinstance(conditions, (list, tuple)):
            parsed_conditions = tuple(dict.fromkeys(Condition.parse(item) for item in conditions))
        else:
            raise InvalidQuery("conditions", f"expected a list of conditions, got {type(conditions).__name__}")
        if text["order"] is not None:
            if text["order"].upper() not in ORDERS:
                raise InvalidQuery("order", f"{text['order'][:40]!r} is not an order", " or ".join(ORDERS))
            text["order"] = text["order"].upper()
        if text["sort_by"] is not None and text["sort_by"] not in SORT_FIELDS:
            raise InvalidQuery("sort_by", f"{text['sort_by'][:40]!r} is not sortable", ", ".join(SORT_FIELDS))
        regex = text["name_regex"]
        if regex is not None:
            try:
                re.compile(regex)
            except re.error as exc:
                problem = f"{regex[:80]!r} is not a valid regular expression ({exc})"
                raise InvalidQuery("name_regex", problem, "a Python regular expression") from None
        return cls(
            **text,
            collections=_collections(args.get("collections")),
            tags=_tags(args.get("tags")),
            conditions=parsed_conditions,
        )

    @property
    def exact_name(self) -> str | None:
        """The name asked for exactly (`model_name` in double quotes), unquoted; else None."""
        name = self.model_name
        if name and len(name) >= 3 and name.startswith('"') and name.endswith('"'):
            return name[1:-1]
        return None

    def describe(self) -> str:
        """The query in the API's words, for messages: `ModelName='"x"', Tag env=prod, Condition ...`."""
        parts: list[str] = []
        for argument in arguments(QUERY):
            value = getattr(self, argument.name)
            if value is None or value == ():
                continue
            label = argument.api or argument.name
            if argument.name == "tags":
                parts += [f"Tag {k}={v}" for k, v in value]
            elif argument.name == "conditions":
                parts += [f"Condition {c}" for c in value]
            elif argument.name == "collections":
                parts.append(f"{label}={','.join(value)!r}")
            elif argument.name in ("order", "sort_by"):
                parts.append(f"{label}={value}")
            else:
                parts.append(f"{label}={value!r}")
        return ", ".join(parts) if parts else "(no filters: all of your own models)"
