#!/usr/bin/env bash
# The newest Pulumi CLI release beside the pinned one, for the `newest_cli` session of noxfile.py (docs/development.md).
#
# Usage: scripts/ensure-pulumi-newest.sh
#   Prints, alone on its LAST stdout line, the directory that holds `pulumi` of the release that
#   scripts/pulumi-wrapper-newest pins (go.mod) and the plugins it needs. Progress goes to stderr.
#
# Environment: PAI_MODELS_CACHE  cache root (default: $HOME/.cache/pulumi-pai-models), as for ensure-pulumi.sh
#
# Its own cache folder, pulumi-v<release>/bin, holds:
#   pulumi                          built from scripts/pulumi-wrapper-newest (about 7-10 min on 2 cores the first time)
#   pulumi-language-python-exec     the two scripts of that release's sdk/v3 module
#   pulumi-resource-pulumi-python-real
#   pulumi-language-python(-real), pulumi-resource-pulumi-python, pulumi-language-yaml
#                                   copies of the pinned cache's language hosts and launcher (scripts/ensure-pulumi.sh
#                                   builds them; the Python host of 3.260+ is not on the module proxy, see there)
# Nothing here runs unless that session asks; ./scripts/test.sh never does.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
wrapper_dir="$script_dir/pulumi-wrapper-newest"
cache_root="${PAI_MODELS_CACHE:-$HOME/.cache/pulumi-pai-models}"
SDK_MODULE=github.com/pulumi/pulumi/sdk/v3
CLI_PACKAGE=github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
VERSION=$(sed -n 's|^[[:space:]]*github.com/pulumi/pulumi/pkg/v3 v\([0-9.]*\)$|\1|p' "$wrapper_dir/go.mod")
[[ -n $VERSION ]] || { echo "ensure-pulumi-newest: no pkg/v3 version in $wrapper_dir/go.mod" >&2; exit 1; }
bin_dir="$cache_root/pulumi-v$VERSION/bin"
stamp="$cache_root/pulumi-v$VERSION/stamp"
key=$(cat "$wrapper_dir/go.mod" "$wrapper_dir/go.sum" | sha256sum | cut -d' ' -f1)

log() { printf 'ensure-pulumi-newest: %s\n' "$*" >&2; }

# The pinned cache (never a `pulumi` on PATH: its folder need not hold the launcher and hosts copied below).
pinned_dir=$(PAI_MODELS_BUILD_PULUMI=1 bash "$script_dir/ensure-pulumi.sh" | tail -n 1)

if ! command -v go >/dev/null 2>&1; then
	[[ -x /usr/local/go/bin/go ]] && PATH="/usr/local/go/bin:$PATH"
fi
mkdir -p "$bin_dir"
if command -v flock >/dev/null 2>&1; then # one build at a time into this cache
	exec 9>"$cache_root/.ensure-pulumi-newest.lock"
	flock 9
fi

if [[ ! -x $bin_dir/pulumi || ! -f $stamp || $(<"$stamp") != "$key" ]]; then
	command -v go >/dev/null 2>&1 || { log "go not found (need Go to build pulumi $VERSION)"; exit 1; }
	log "building pulumi v$VERSION with $(go version) (about 7-10 min on 2 cores the first time)"
	start=$SECONDS
	tmp=$(mktemp -d "$cache_root/.build-pulumi-v$VERSION.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	(
		cd "$wrapper_dir"
		CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=readonly" go build -trimpath -tags osusergo,grpcnotrace \
			-ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$VERSION" -o "$tmp/pulumi" "$CLI_PACKAGE"
	) >&2
	got=$(PULUMI_SKIP_UPDATE_CHECK=true "$tmp/pulumi" version 2>/dev/null </dev/null || true)
	[[ ${got#v} == "$VERSION" ]] || { log "built pulumi reports '$got', expected v$VERSION"; exit 1; }
	mv -f "$tmp/pulumi" "$bin_dir/pulumi"
	printf '%s\n' "$key" >"$stamp"
	log "built pulumi v$VERSION in $((SECONDS - start))s"
fi

# Copy a file into bin/ (executable) when it differs from what is there.
place() {
	if ! cmp -s "$1" "$bin_dir/$2"; then
		cp "$1" "$bin_dir/.$2.tmp"
		chmod 0755 "$bin_dir/.$2.tmp"
		mv -f "$bin_dir/.$2.tmp" "$bin_dir/$2"
	fi
}
sdk_dir=$(cd "$wrapper_dir" && GOFLAGS="${GOFLAGS:-} -mod=readonly" go mod download -json "$SDK_MODULE" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
[[ -n $sdk_dir && -d $sdk_dir/python ]] || { log "sdk module dir not found: '$sdk_dir'"; exit 1; }
place "$sdk_dir/python/cmd/pulumi-language-python-exec" pulumi-language-python-exec
place "$sdk_dir/python/dist/pulumi-resource-pulumi-python" pulumi-resource-pulumi-python-real
for piece in pulumi-language-python pulumi-language-python-real pulumi-resource-pulumi-python pulumi-language-yaml; do
	place "$pinned_dir/$piece" "$piece"
done
printf '%s\n' "$bin_dir"
