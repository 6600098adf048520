#!/usr/bin/env bash
# A deploy step written the way a CI pipeline would use `pai-models`: look a model up, branch on the
# exit code, never echo a secret. Run by tests/test_cli.py::test_pipeline_shell_script.
#
# Needs `pai-models` on PATH, and in the environment: where PAI is (PAI_MODELS_ENDPOINT, or
# ALIBABA_CLOUD_REGION_ID), credentials (ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET), and
#   PIPELINE_MODEL          a model name with an Approved version
#   PIPELINE_EXPECTED_URI   the Uri of its newest Approved version
#   PIPELINE_AMBIGUOUS_TAG  a KEY=VALUE tag that several models carry
set -uo pipefail

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_status() {  # expect_status WANT GOT WHAT
    [ "$2" -eq "$1" ] || fail "$3: exit $2, expected $1"
}

# 1. The happy path: the URI alone on stdout, nothing on stderr.
errfile=$(mktemp) || fail "mktemp"
trap 'rm -f "$errfile"' EXIT
URI=$(pai-models get --exact-name "$PIPELINE_MODEL" --approval-status Approved 2>"$errfile")
status=$?
errors=$(cat "$errfile")
expect_status 0 "$status" "get"
[ "$URI" = "$PIPELINE_EXPECTED_URI" ] || fail "URI is '$URI', expected '$PIPELINE_EXPECTED_URI'"
[ -z "$errors" ] || fail "stderr not empty: $errors"
echo "would deploy $URI"

# 2. Branching on the documented exit codes.
lookup() { pai-models get "$@" 2>/dev/null; }
for case in "3|--exact-name|no-such-model-$$" "4|--tag|$PIPELINE_AMBIGUOUS_TAG" "2|--condition|ParameterSize<abc"; do
    IFS='|' read -r want flag value <<<"$case"
    out=$(lookup "$flag" "$value"); status=$?
    case $status in
        0) what="found" ;;
        2) what="bad input" ;;
        3) what="no match" ;;
        4) what="ambiguous" ;;
        5) what="API error" ;;
        *) what="unexpected" ;;
    esac
    expect_status "$want" "$status" "get $flag $value ($what)"
    [ -z "$out" ] || fail "get $flag $value printed '$out' on stdout"
done

# 3. --most-recent resolves the ambiguity; a list pipes into other tools, one id a line.
newest=$(pai-models get --tag "$PIPELINE_AMBIGUOUS_TAG" --most-recent) || fail "get --most-recent: exit $?"
[ -n "$newest" ] || fail "get --most-recent printed nothing"
count=$(pai-models list --tag "$PIPELINE_AMBIGUOUS_TAG" --output ids | wc -l) || fail "list: exit $?"
[ "$count" -ge 2 ] || fail "list --tag $PIPELINE_AMBIGUOUS_TAG gave $count ids, expected several"

# 4. JSON for machines: the same URI as the uri output.
json_uri=$(pai-models get --exact-name "$PIPELINE_MODEL" --approval-status Approved --output json |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["uri"])') || fail "get --output json: exit $?"
[ "$json_uri" = "$PIPELINE_EXPECTED_URI" ] || fail "json uri is '$json_uri'"

# 5. An empty listing is not an error.
out=$(pai-models list --exact-name "no-such-model-$$" --output json) || fail "empty list: exit $?"
[ "$out" = "[]" ] || fail "empty list printed '$out'"

echo "pipeline checks passed"
