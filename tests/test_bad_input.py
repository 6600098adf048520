"""Bad input: every wrong argument is an `InvalidQuery` naming it, before any API call.

Through the public functions (`get_models` / `get_model` with `settings=`), as a program calls them:
named cases first, then hypothesis throwing arbitrary values at every argument. Then the emulator
gets garbage of its own (signed requests with random parameters, random headers) and must answer
4xx, never 500, and keep serving.

Inside Pulumi, a bad `ModelLookup` argument failing in `check` with the property name is covered by
tests/test_engine.py::test_bad_argument_fails_in_check_naming_the_property (real engine) and
tests/test_provider.py; not repeated here.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import time
from collections import Counter
from urllib.parse import quote, urlencode

import pytest
from conftest import acs3_headers, api_requests
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from pulumi_pai_models import (
    AmbiguousMatch,
    ApiError,
    ConfigurationError,
    GetModelResult,
    GetModelsResult,
    InvalidQuery,
    ModelQuery,
    NoMatch,
    PaiModelsClient,
    Settings,
    get_model,
    get_models,
)
from pulumi_pai_models.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET
from pulumi_pai_models.emulator.params import CONDITION_COLUMNS

QUERY_ARGS = ("workspace_id", "model_name", "label", "provider", "domain", "task", "origin", "query", "model_type",
              "collections", "tags", "conditions", "order", "name_regex")
SELECTION_ARGS = ("most_recent", "version", "approval_status")
# Examples per hypothesis test; raise them for a longer hunt (PAI_BAD_INPUT_EXAMPLES=6000 pytest ...).
EXAMPLES = int(os.environ.get("PAI_BAD_INPUT_EXAMPLES", "700"))
EMULATOR_EXAMPLES = int(os.environ.get("PAI_BAD_INPUT_EXAMPLES", "400"))
ANSWERS: Counter = Counter()  # what the emulator answered the garbage, by status and code
TRIED = {"get_models": 0, "get_model": 0, "invalid": 0, "answered": 0, "unknown column (server 400)": 0, "emulator": 0}


@pytest.fixture(scope="module", autouse=True)
def report_counts(request):
    yield
    capture = request.config.pluginmanager.getplugin("capturemanager")
    text = "\nbad-input examples tried: " + ", ".join(f"{k} {v}" for k, v in TRIED.items())
    if ANSWERS:
        text += "\nemulator answers to garbage: " + ", ".join(f"{k}: {v}" for k, v in ANSWERS.most_common())
    if capture is None:  # pragma: no cover
        print(text)
        return
    with capture.global_and_fixture_disabled():
        print(text)


def invalid(emulator, call, **kwargs) -> InvalidQuery:
    emulator.reset()
    with pytest.raises(InvalidQuery) as info:
        call(**kwargs)
    assert api_requests(emulator) == [], "InvalidQuery must come before any API call"
    return info.value


# --------------------------------------------------------------------------- named cases

LONG = "x" * 1025
NAMED = [
    # (function, arguments, parameter, a fragment of what is allowed)
    ("get_models", {"conditions": [{"column": "ParameterSize", "operator": "Around", "value": "1"}]}, "conditions.operator", "LessThan"),
    ("get_models", {"conditions": ["ParameterSize ~ 3"]}, "conditions", "COLUMN OP VALUE"),
    ("get_models", {"conditions": ["ParameterSize <> 3"]}, "conditions.value", "a number"),
    ("get_models", {"conditions": [{"column": "", "operator": "<", "value": "1"}]}, "conditions.column", "field name"),
    ("get_models", {"conditions": [("   ", "<", "1")]}, "conditions.column", "field name"),
    ("get_models", {"conditions": [{"operator": "<", "value": "1"}]}, "conditions.column", "field name"),
    ("get_models", {"conditions": ["ParameterSize<abc"]}, "conditions.value", "a number"),
    ("get_models", {"conditions": ["ParameterSize >= 1e400"]}, "conditions.value", "a number"),
    ("get_models", {"conditions": [("ParameterSize", "<", float("nan"))]}, "conditions.value", None),
    ("get_models", {"conditions": [("ParameterSize", "<", 10**5000)]}, "conditions.value", "digits"),
    ("get_models", {"conditions": [("ParameterSize", "<", True)]}, "conditions.value", None),
    ("get_models", {"conditions": ["GmtCreateTime < yesterday"]}, "conditions.value", "2024-01-31T00:00:00Z"),
    ("get_models", {"conditions": ["GmtCreateTime < 0001-01-01T00:00:00+05:00"]}, "conditions.value", "2024-01-31T00:00:00Z"),
    ("get_models", {"conditions": ["ParameterSize = "]}, "conditions.value", "non-empty"),
    ("get_models", {"name_regex": "("}, "name_regex", "regular expression"),
    ("get_models", {"name_regex": "[a-"}, "name_regex", "regular expression"),
    ("get_models", {"name_regex": "*qwen"}, "name_regex", "regular expression"),
    ("get_models", {"tags": {"": "prod"}}, "tags.key", "non-empty"),
    ("get_models", {"tags": [{"Key": "", "Value": "prod"}]}, "tags.key", "non-empty"),
    ("get_models", {"tags": ["=prod"]}, "tags.key", "non-empty"),
    ("get_models", {"tags": {None: "prod"}}, "tags.key", "non-empty"),
    ("get_models", {"tags": [{"Value": "prod"}]}, "tags.key", "non-empty"),
    ("get_models", {"tags": [{"Key": "env", "Value": "prod", "Extra": 1}]}, "tags", "key, value"),
    ("get_models", {"model_name": LONG}, "model_name", "at most 1024"),
    ("get_models", {"tags": {"k" * 5000: "v"}}, "tags.key", "at most 1024"),
    ("get_models", {"tags": {"env": "v" * 5000}}, "tags.value", "at most 1024"),
    ("get_models", {"collections": ["QuickStart", LONG]}, "collections", "at most 1024"),
    ("get_models", {"name_regex": "a" * 100_000}, "name_regex", "at most 1024"),
    ("get_models", {"conditions": ["ParameterSize<" + " " * 200_000 + "1" + " " * 200_000 + "x"]}, "conditions", "at most"),
    ("get_models", {"model_name": "qwen\ud800"}, "model_name", "UTF-8"),
    ("get_models", {"tags": {"env": "\udfff"}}, "tags.value", "UTF-8"),
    ("get_models", {"label": "bad\x00byte"}, "label", "printable"),
    ("get_models", {"workspace_id": 12345}, "workspace_id", None),
    ("get_models", {"model_name": ["qwen"]}, "model_name", None),
    ("get_models", {"provider": b"pai"}, "provider", None),
    ("get_models", {"order": 1}, "order", None),
    ("get_models", {"order": "newest"}, "order", "ASC or DESC"),
    ("get_models", {"tags": 7}, "tags", None),
    ("get_models", {"tags": "env"}, "tags", None),
    ("get_models", {"tags": {"env": ["prod"]}}, "tags.value", None),
    ("get_models", {"conditions": 42}, "conditions", None),
    ("get_models", {"conditions": {"ParameterSize<3000"}}, "conditions", None),
    ("get_models", {"conditions": [None]}, "conditions", None),
    ("get_models", {"collections": 5}, "collections", None),
    ("get_models", {"collections": ["a,b"]}, "collections", "one collection name"),
    ("get_model", {"version": "1.0.0", "approval_status": "Approved"}, "version", "either version"),
    ("get_model", {"most_recent": "yes"}, "most_recent", None),
    ("get_model", {"most_recent": 1}, "most_recent", None),
    ("get_model", {"approval_status": "approved-ish"}, "approval_status", "Approved, Pending, Rejected"),
    ("get_model", {"approval_status": 1}, "approval_status", None),
    ("get_model", {"version": ""}, "version", "non-empty"),
    ("get_model", {"version": "v" * 300}, "version", "non-empty"),
    ("get_model", {"version": 1.0}, "version", None),
]
FUNCTIONS = {"get_models": get_models, "get_model": get_model}


@pytest.mark.parametrize("function, kwargs, parameter, allowed", NAMED, ids=[f"{f}-{p}-{i}" for i, (f, _, p, _a) in enumerate(NAMED)])
def test_named_bad_input_is_invalid_query_naming_the_parameter_before_any_call(emulator, settings, function, kwargs, parameter, allowed):
    started = time.monotonic()
    error = invalid(emulator, FUNCTIONS[function], settings=settings, **kwargs)
    assert time.monotonic() - started < 2, "validation must be quick, even on very long text"
    assert error.parameter == parameter
    assert str(error).startswith(f"invalid {parameter}: ")
    if allowed is not None:
        assert error.allowed and allowed in error.allowed, error.allowed
    assert len(str(error)) < 600, "a message quotes at most a short piece of the input"
    assert isinstance(error, ValueError)  # callers catching ValueError see it too


def test_lone_surrogate_in_version_is_invalid_query(emulator, settings):
    invalid(emulator, get_model, model_name='"fraud-detector"', version="1.0\ud800", settings=settings)


def test_lone_surrogate_that_reaches_the_sdk_is_not_retried_nor_called_a_bad_response(emulator, settings):
    """Below the query layer (the client called directly): a request that cannot be encoded fails once, unsent."""
    emulator.reset()
    with pytest.raises(ApiError) as info:
        PaiModelsClient(settings).get_model_version("model-fraud-detector", "1.0\ud800")
    assert (info.value.code, info.value.attempts) == ("InvalidRequest", 1)
    assert "not valid Unicode" in str(info.value)
    assert api_requests(emulator) == []


@pytest.mark.parametrize("page_size", [0, -1, 101, 10**6])
def test_page_size_outside_1_to_100_is_a_configuration_error_before_any_call(emulator, settings, page_size):
    emulator.reset()
    with pytest.raises(ConfigurationError) as info:
        get_models(provider="pai", settings=Settings(page_size=page_size).over(settings))
    assert f"page_size is {page_size}, allowed 1..100" in str(info.value)
    assert api_requests(emulator) == []


@pytest.mark.parametrize(
    "name",
    ["情感分析", "感情分析モデル", "نموذج-المشاعر", "модель", "e\u0301te\u0301", "🤖-model", "a+b c/d~*'()!&=?#%"],
)
def test_unicode_and_reserved_characters_in_names_are_accepted_and_round_trip(emulator, settings, name):
    """The reference's own example is Chinese; other scripts, combining marks, emoji and URL-reserved characters too."""
    emulator.set_catalog(
        {"Models": [{"ModelId": "m-1", "ModelName": name, "Provider": "pai", "GmtCreateTime": "2024-01-01T00:00:00Z",
                     "Tags": [{"Key": "环境", "Value": name}],
                     "LatestVersion": {"VersionName": "1.0.0", "Uri": "oss://b/m-1/", "GmtCreateTime": "2024-01-01T00:00:00Z"}}]}
    )
    emulator.reset()
    result = get_model(model_name=f'"{name}"', provider="pai", tags={"环境": name}, name_regex="^" + re.escape(name) + "$",
                       settings=settings)
    assert result.model_name == name and result.uri == "oss://b/m-1/"
    [request] = api_requests(emulator, "ListModels")
    assert request["query"]["ModelName"] == f'"{name}"'
    assert json.loads(request["query"]["Tag"]) == [{"Key": "环境", "Value": name}]


# --------------------------------------------------------------------------- hypothesis: arbitrary arguments

_ANY_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=10),  # surrogates and controls too
    st.sampled_from(["", " ", "pai", '"fraud-detector"', '"', '""', "情感分析", "ASC", "desc", "Approved", "pending", "(", "[a-",
                     "x" * 1025, "ParameterSize<3000", "GmtCreateTime>=2024-01-01T00:00:00Z", "env=prod", "=x", "a,b", "%00",
                     "1.0.0", "\u202e", "null", "None", "true"]),
)
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.sampled_from([10**400, -(10**1100), 2**63]),
    st.floats(allow_nan=True, allow_infinity=True), _ANY_TEXT, st.binary(max_size=10),
)
_ANYTHING = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.tuples(inner, inner, inner),
        st.dictionaries(st.one_of(_ANY_TEXT, st.sampled_from(["key", "Key", "value", "Value", "column", "operator"]),
                                  st.integers(), st.none()), inner, max_size=4),
    ),
    max_leaves=8,
)
_COLUMNS = st.one_of(st.sampled_from(sorted(CONDITION_COLUMNS)), st.text(max_size=12))
_OPERATORS = st.one_of(st.sampled_from(["<", "<=", ">", ">=", "=", "==", "!=", "LessThan", "Equal", "NotEqual", "~", ""]),
                       st.text(max_size=5))
_VALUES = st.one_of(st.integers(), st.floats(), _ANY_TEXT,
                    st.sampled_from(["3000", "1e3", "-0", "2024-01-01T00:00:00Z", "9999-12-31T23:59:59-05:00", "nan", "inf"]))
_CONDITION = st.one_of(
    st.builds(lambda c, o, v: f"{c}{o}{v}", _COLUMNS, _OPERATORS, _VALUES.map(str)),
    st.builds(lambda c, o, v: {"column": c, "operator": o, "value": v}, _COLUMNS, _OPERATORS, _VALUES),
    st.tuples(_COLUMNS, _OPERATORS, _VALUES),
)
_PLAUSIBLE = {
    "conditions": st.lists(_CONDITION, max_size=3),
    "tags": st.one_of(st.dictionaries(_ANY_TEXT, st.one_of(_ANY_TEXT, st.integers(), st.none()), max_size=3),
                      st.lists(st.fixed_dictionaries({"Key": _ANY_TEXT, "Value": _ANY_TEXT}), max_size=3)),
    "collections": st.one_of(_ANY_TEXT, st.lists(_ANY_TEXT, max_size=3)),
    "most_recent": st.booleans(),
    "approval_status": st.sampled_from(["Approved", "pending", "REJECTED", "approved "]),
}


_SAFE_TEXT = st.text(alphabet="abcdefgqwen-_.0123456789 情感分析\"", max_size=12)
_VALID = {  # values that pass validation, so that whole calls reach the emulator often
    "conditions": st.lists(st.builds(lambda c, o, v: f"{c}{o}{v}", st.sampled_from([*sorted(CONDITION_COLUMNS - {"GmtCreateTime", "GmtModifiedTime", "GmtLatestVersionModifiedTime"}), "Foo", "parametersize"]),
                           st.sampled_from(["<", ">=", "=", "!="]), st.integers(-10, 10_000).map(str)), max_size=2),
    "tags": st.dictionaries(st.sampled_from(["env", "team", "环境"]), st.sampled_from(["prod", "staging", "risk", ""]), max_size=2),
    "collections": st.lists(st.sampled_from(["QuickStart", "LLM", "AI4D"]), max_size=2),
    "order": st.sampled_from(["ASC", "desc"]),
    "name_regex": st.sampled_from(["", "qwen", "^fraud", "7b$", "[0-9]+", "情感"]),
    "most_recent": st.booleans(),
    "version": st.sampled_from(["1.0.0", "0.1.0", "2.0.0"]),
    "approval_status": st.sampled_from(["Approved", "pending", "REJECTED"]),
    "provider": st.sampled_from(["pai", "", "acme"]),
    "model_name": st.sampled_from(['"fraud-detector"', "qwen", '"情感分析"', "", "zzz"]),
}


def _argument(name: str, no_surrogates: bool = False):
    strategy = st.one_of(st.none(), _VALID.get(name, _SAFE_TEXT), _ANYTHING, _PLAUSIBLE.get(name, _ANY_TEXT))
    if no_surrogates:  # see test_lone_surrogate_in_version_is_invalid_query
        strategy = strategy.filter(lambda v: not (isinstance(v, str) and any(0xD800 <= ord(c) <= 0xDFFF for c in v)))
    return strategy


GET_MODELS_ARGS = st.fixed_dictionaries({}, optional={name: _argument(name) for name in QUERY_ARGS})
GET_MODEL_ARGS = st.fixed_dictionaries(
    {}, optional={name: _argument(name, no_surrogates=name == "version") for name in QUERY_ARGS + SELECTION_ARGS}
)


def check_outcome(emulator, settings, function: str, kwargs: dict) -> None:
    TRIED[function] += 1
    emulator.reset()
    started = time.monotonic()
    try:
        result = FUNCTIONS[function](settings=settings, **kwargs)
    except InvalidQuery as error:
        TRIED["invalid"] += 1
        assert error.parameter.split(".")[0] in kwargs, (error.parameter, sorted(kwargs))
        assert str(error).startswith(f"invalid {error.parameter}: ")
        assert api_requests(emulator) == [], "InvalidQuery after an API call"
    except (NoMatch, AmbiguousMatch):
        TRIED["answered"] += 1
    except ApiError as error:
        # The one server-side rejection the client lets through: a well-formed column name PAI does not
        # know. PAI publishes no list of Conditions columns, so the client does not guess one.
        columns = _condition_columns(kwargs.get("conditions"))
        assert (error.status_code, error.code) == (400, "InvalidParameter") and "Column" in error.api_message, error
        assert columns - CONDITION_COLUMNS, (error, columns)
        TRIED["unknown column (server 400)"] += 1
    else:
        TRIED["answered"] += 1
        assert isinstance(result, GetModelsResult if function == "get_models" else GetModelResult)
    assert time.monotonic() - started < 10


def _condition_columns(conditions) -> set:
    return {c.column for c in ModelQuery.build(conditions=conditions).conditions}


@hsettings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(kwargs=GET_MODELS_ARGS)
def test_get_models_with_arbitrary_arguments_answers_or_names_the_argument(emulator, settings, kwargs):
    check_outcome(emulator, settings, "get_models", kwargs)


@hsettings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(kwargs=GET_MODEL_ARGS)
def test_get_model_with_arbitrary_arguments_answers_or_names_the_argument(emulator, settings, kwargs):
    check_outcome(emulator, settings, "get_model", kwargs)


# --------------------------------------------------------------------------- the emulator survives garbage
# tests/test_emulator.py::test_fuzzed_requests_never_500 sends random bytes as query and Authorization,
# which the signature check rejects first. Here the requests are signed, so random parameter values
# reach the emulator's parameter parsing, and random extra headers ride along.

LIST_PARAMS = ["WorkspaceId", "ModelName", "Label", "Provider", "Domain", "Task", "Origin", "Query", "ModelType", "Collections",
               "Tag", "Conditions", "Order", "SortBy", "PageNumber", "PageSize"]
_PARAM_VALUES = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["0", "-1", "101", "99999999999999999999", "1.5", "", "asc", "Desc", "[]", "{}", "[1]", "[{}]", "null",
                     '[{"Key":"env"}]', '[{"Key":"","Value":"x"}]', '[{"Key":1}]', '[{"Column":"ParameterSize","Operator":"LessThan","Value":"x"}]',
                     '[{"Column":"GmtCreateTime","Operator":"LessThan","Value":"0001-01-01T00:00:00+05:00"}]',
                     '[{"Column":"ParameterSize","Operator":"LessThan","Value":1e999}]', '[{"Column":"ModelName","Operator":"GreaterThan","Value":3}]',
                     '[{"Column":"ParameterSize","Operator":"Equal","Value":true}]', "[" * 5000, '"' + "\\u0000" + '"']),
    st.builds(json.dumps, st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)),
                                       lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                                           st.sampled_from(["Key", "Value", "Column", "Operator", "x"]), inner, max_size=3),
                                       max_leaves=6)),
)
_QUERY = st.dictionaries(st.one_of(st.sampled_from(LIST_PARAMS), st.text(min_size=1, max_size=10)), _PARAM_VALUES, max_size=5)
_TOKEN = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_!#$%&'*+.^`|~", min_size=1, max_size=20)
_HEADER_VALUE = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=80)
_HEADERS = st.dictionaries(
    st.one_of(_TOKEN, st.sampled_from(["Accept", "Content-Type", "x-acs-version", "x-acs-action", "Expect", "Range", "Cookie", "X-Forwarded-For",
                                       "x-acs-security-token", "Accept-Encoding", "If-None-Match"])),
    _HEADER_VALUE, max_size=4,
).filter(lambda h: not {k.lower() for k in h} & {"host", "authorization", "content-length", "transfer-encoding", "connection",
                                                  "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"})


def signed_get(emulator, path: str, query: dict, extra: dict, signed: bool = True) -> tuple[int, bytes]:
    headers = acs3_headers(emulator, path, query, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
    if not signed:
        del headers["Authorization"]
    for name, value in extra.items():  # unsigned extras, added after signing
        headers.setdefault(name, value)
    target = path + ("?" + urlencode(query, quote_via=quote, safe="~") if query else "")
    conn = http.client.HTTPConnection(emulator.host, emulator.port, timeout=10)
    try:
        conn.putrequest("GET", target, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value.encode("latin-1"))
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def test_signed_helper_is_accepted(emulator):
    """The fuzz below is only meaningful if its signing is right: a clean signed request gets a 200."""
    status, body = signed_get(emulator, "/api/v1/models", {"Provider": "pai", "PageSize": "5"}, {})
    assert status == 200, body
    assert len(json.loads(body)["Models"]) == 5


@hsettings(max_examples=EMULATOR_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(query=_QUERY, extra=_HEADERS, signed=st.booleans(),
       path=st.sampled_from(["/api/v1/models", "/api/v1/models/model-fraud-detector/versions"]))
def test_emulator_answers_garbage_parameters_and_headers_with_4xx_never_500(emulator, query, extra, signed, path):
    TRIED["emulator"] += 1
    status, body = signed_get(emulator, path, query, extra, signed)
    assert status == 200 or 400 <= status < 500, (status, body[:300])
    data = json.loads(body)
    ANSWERS[f"{'signed' if signed else 'unsigned'} {status} {data.get('Code', '')}".strip()] += 1
    assert data["RequestId"]
    if status != 200:
        assert data["Code"] and data["Message"]


def test_emulator_still_serves_a_normal_lookup_after_the_garbage(emulator, settings):
    """Runs after the fuzz in file order; also alone it shows the server is alive."""
    result = get_model(model_name='"情感分析"', provider="pai", settings=settings)
    assert result.model_name == "情感分析" and result.uri
