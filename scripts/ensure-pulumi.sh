#!/usr/bin/env bash
# Ensure a working Pulumi CLI (plus the Python plugins it needs) is available,
# building it from the Go module proxy if necessary.
#
# Usage: scripts/ensure-pulumi.sh
#   Prints, alone on its LAST stdout line, the directory that holds `pulumi`
#   and its plugins. Progress messages go to stderr. Exit status 0 on success.
#   With the cached build the directory is .../pulumi-v3.260.0/bin, so its
#   parent can be passed as pulumi.automation.PulumiCommand(root=...).
#
# Environment:
#   PAI_MODELS_BUILD_PULUMI=1  ignore any `pulumi` on PATH, use/build the cached one
#   PAI_MODELS_CACHE           cache root (default: $HOME/.cache/pulumi-pai-models)
#
# Order: 1) `pulumi` on PATH reporting >= 3.260.0; 2) a cached build that
# reports v3.260.0; 3) build it with Go from scripts/pulumi-wrapper (go.mod and
# go.sum pin the release) and install it into the cache atomically.
set -euo pipefail

PULUMI_VERSION=3.260.0
SDK_MODULE=github.com/pulumi/pulumi/sdk/v3
CLI_PACKAGE=github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
# The Python language host of 3.260 is a separate module that the module proxy
# refuses (403). v3.68.0 is the newest sdk/v3 on the proxy that still holds it;
# scripts/pulumi-wrapper/language-python pins that. It works with CLI 3.260 and
# the 3.260 Python SDK for `pulumi up` on a Pulumi.yaml project, but ignores
# runtime options from Pulumi.yaml (virtualenv, toolchain): put the venv's
# python first on PATH or set PULUMI_PYTHON_CMD. Automation API inline programs
# do not use it at all.
LANGHOST_VERSION=3.68.0
LANGHOST_PACKAGE=github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
wrapper_dir="$script_dir/pulumi-wrapper"
cache_root="${PAI_MODELS_CACHE:-$HOME/.cache/pulumi-pai-models}"
install_dir="$cache_root/pulumi-v$PULUMI_VERSION"
bin_dir="$install_dir/bin"

log() { printf 'ensure-pulumi: %s\n' "$*" >&2; }

# Print the version that `$1 version` reports, without the leading "v" (empty on failure).
cli_version() {
	local out
	out=$(PULUMI_SKIP_UPDATE_CHECK=true "$1" version 2>/dev/null </dev/null) || return 0
	out=${out##*$'\n'}
	printf '%s' "${out#v}"
}

# True if version $1 >= version $2 (dotted numeric; pre-release suffixes ignored).
version_ge() {
	local IFS=. i a b
	local -a x y
	read -r -a x <<<"${1%%[-+]*}"
	read -r -a y <<<"${2%%[-+]*}"
	for i in 0 1 2; do
		a=${x[i]:-0} b=${y[i]:-0}
		[[ $a =~ ^[0-9]+$ && $b =~ ^[0-9]+$ ]] || return 1
		((10#$a > 10#$b)) && return 0
		((10#$a < 10#$b)) && return 1
	done
	return 0
}

# The cached install is usable if the binary runs and reports exactly our
# version, and the Python plugins sit next to it, executable.
cache_ok() {
	local f
	[[ -x $bin_dir/pulumi ]] || return 1
	[[ $(cli_version "$bin_dir/pulumi") == "$PULUMI_VERSION" ]] || return 1
	for f in pulumi-language-python pulumi-resource-pulumi-python pulumi-language-python-exec; do
		[[ -x $bin_dir/$f ]] || return 1
	done
	return 0
}

# 1. A recent enough pulumi on PATH.
if [[ ${PAI_MODELS_BUILD_PULUMI:-} != 1 ]] && path_pulumi=$(command -v pulumi 2>/dev/null); then
	v=$(cli_version "$path_pulumi")
	if [[ -n $v ]] && version_ge "$v" "$PULUMI_VERSION"; then
		log "using pulumi $v from PATH"
		dirname "$(readlink -f "$path_pulumi")"
		exit 0
	fi
	log "pulumi on PATH (${path_pulumi}) reports '${v}', need >= $PULUMI_VERSION"
fi

# 2. A warm cache.
if cache_ok; then
	printf '%s\n' "$bin_dir"
	exit 0
fi

# 3. Build it.
if ! command -v go >/dev/null 2>&1; then
	[[ -x /usr/local/go/bin/go ]] && PATH="/usr/local/go/bin:$PATH"
fi
command -v go >/dev/null 2>&1 || { log "go not found (need Go to build pulumi $PULUMI_VERSION)"; exit 1; }

mkdir -p "$cache_root"
# Serialise concurrent builds into the same cache.
if command -v flock >/dev/null 2>&1; then
	exec 9>"$cache_root/.ensure-pulumi.lock"
	if ! flock -n 9; then
		log "another build holds $cache_root/.ensure-pulumi.lock, waiting"
		flock 9
	fi
	if cache_ok; then # another process built it while we waited
		printf '%s\n' "$bin_dir"
		exit 0
	fi
fi

tmp_dir=$(mktemp -d "$cache_root/.build-pulumi-v$PULUMI_VERSION.XXXXXX")
trap 'rm -rf "$tmp_dir"' EXIT
mkdir -p "$tmp_dir/bin"

log "building pulumi v$PULUMI_VERSION with $(go version) (takes ~10-20 min on 2 cores the first time)"
start=$SECONDS
(
	cd "$wrapper_dir"
	CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=readonly" go build -trimpath \
		-tags osusergo,grpcnotrace \
		-ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
		-o "$tmp_dir/bin/pulumi" "$CLI_PACKAGE"
) >&2
log "built pulumi in $((SECONDS - start))s; building pulumi-language-python v$LANGHOST_VERSION"
start=$SECONDS
(
	cd "$wrapper_dir/language-python"
	CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=readonly" go build -trimpath \
		-tags osusergo,grpcnotrace \
		-ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$LANGHOST_VERSION" \
		-o "$tmp_dir/bin/pulumi-language-python" "$LANGHOST_PACKAGE"
) >&2
log "built pulumi-language-python in $((SECONDS - start))s"

sdk_dir=$(cd "$wrapper_dir" && GOFLAGS="${GOFLAGS:-} -mod=readonly" go list -m -f '{{.Dir}}' "$SDK_MODULE")
[[ -n $sdk_dir && -d $sdk_dir/python ]] || { log "sdk module dir not found: '$sdk_dir'"; exit 1; }
cp "$sdk_dir/python/dist/pulumi-resource-pulumi-python" "$sdk_dir/python/cmd/pulumi-language-python-exec" "$tmp_dir/bin/"
chmod 0755 "$tmp_dir/bin/"*

got=$(cli_version "$tmp_dir/bin/pulumi")
[[ $got == "$PULUMI_VERSION" ]] || { log "built pulumi reports '$got', expected $PULUMI_VERSION"; exit 1; }

# Atomic install: move the finished tree into place (same filesystem).
chmod 0755 "$tmp_dir"
if [[ -e $install_dir ]]; then
	old="$cache_root/.old-pulumi-v$PULUMI_VERSION.$$"
	mv "$install_dir" "$old"
	mv "$tmp_dir" "$install_dir"
	rm -rf "$old"
else
	mv "$tmp_dir" "$install_dir"
fi
trap - EXIT
log "installed into $bin_dir"
printf '%s\n' "$bin_dir"
