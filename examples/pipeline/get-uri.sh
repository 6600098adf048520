#!/usr/bin/env bash
# Run a `pai-models get` command and turn its exit code into a pipeline decision.
#
#   get-uri.sh pai-models get --tag env=prod --most-recent --approval-status Approved --output uri
#
# Prints the URI alone on stdout, and when $GITHUB_OUTPUT is set (GitHub Actions) also writes
# `uri=<URI>` and `found=true|false` there for later steps and jobs. Exit codes are pai-models' own:
#   0  found
#   2  bad input: a flag or filter value, or the settings (region, endpoint, credentials)
#   3  no model matched, or it has no version with the asked approval status
#      (with ALLOW_NO_MATCH=true this exits 0 with found=false and prints nothing: nothing to deploy)
#   4  several models matched and --most-recent was not given
#   5  PAI answered with an error or could not be reached (authentication failures included)
# pai-models writes its own one-line error on stderr; this adds what to do about it. Credentials
# come only from the environment (ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET), never from arguments.
set -uo pipefail

say() {  # say LEVEL MESSAGE: an annotation in GitHub Actions, a plain line on stderr elsewhere
    if [ "${GITHUB_ACTIONS:-}" = "true" ]; then echo "::$1::$2" >&2; else echo "get-uri: $1: $2" >&2; fi
}
output() {  # output KEY VALUE: a step output in GitHub Actions, nothing elsewhere
    if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "$1=$2" >>"$GITHUB_OUTPUT"; fi
}

if [ $# -lt 2 ]; then
    echo "usage: $0 pai-models get [FLAGS...]" >&2
    exit 2
fi

uri=$("$@")
status=$?
case $status in
    0)
        if [ -z "$uri" ] || [ "$(printf '%s\n' "$uri" | wc -l)" -ne 1 ]; then
            say error "expected one URI on stdout, got '$uri' (is --output uri given?)"
            exit 1
        fi
        output uri "$uri"
        output found true
        printf '%s\n' "$uri"
        exit 0
        ;;
    2) say error "bad input: check the flags, and the region, endpoint and credentials settings" ;;
    3)
        if [ "${ALLOW_NO_MATCH:-false}" = "true" ]; then
            say notice "no model version matches: nothing to deploy"
            output found false
            exit 0
        fi
        say error "no model version matches: nothing to deploy (set ALLOW_NO_MATCH=true to skip instead of failing)"
        ;;
    4) say error "several models match: narrow the query (--exact-name, --tag, --condition) or add --most-recent" ;;
    5) say error "PAI refused or could not be reached: check the credentials in the secret store and their RAM permissions" ;;
    *) say error "the lookup failed unexpectedly (exit $status)" ;;
esac
output found false
exit "$status"
