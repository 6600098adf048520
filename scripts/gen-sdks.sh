#!/usr/bin/env bash
# Regenerate the TypeScript and Go SDKs (sdk/nodejs, sdk/go) from the plugin's schema (schema/pai-models.json),
# with the code generators of the CLI's Pulumi release (scripts/pulumi-wrapper/sdkgen).
#
# Usage: scripts/gen-sdks.sh           rewrite sdk/nodejs and sdk/go (files the generators no longer write go)
#        scripts/gen-sdks.sh --check   change nothing; exit 1 naming each file that differs (the SDKs are stale)
#
# After changing the contract or the schema: `python -m pulumi_pai_models.schema > schema/pai-models.json`, then
# this. Not generated, kept as they are: sdk/go/go.mod and sdk/go/go.sum (the Go module's own pins), and what a
# build leaves in the folders (node_modules/, bin/: the generated .gitignore names them).
#
# Environment: PAI_MODELS_CACHE  cache root (default: $HOME/.cache/pulumi-pai-models), where the generator is
# built once per version of its sources.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
wrapper="$repo/scripts/pulumi-wrapper"
schema="$repo/schema/pai-models.json"
cache_root="${PAI_MODELS_CACHE:-$HOME/.cache/pulumi-pai-models}"
languages=(nodejs go)
kept=(go.mod go.sum)        # hand-kept files, by name, in the SDK folders
build_outputs=(node_modules bin)

log() { printf 'gen-sdks: %s\n' "$*" >&2; }

check=0
case "${1:-}" in
"") ;;
--check) check=1 ;;
*) log "usage: scripts/gen-sdks.sh [--check]"; exit 2 ;;
esac

if ! command -v go >/dev/null 2>&1; then
	[[ -x /usr/local/go/bin/go ]] && PATH="/usr/local/go/bin:$PATH"
fi
command -v go >/dev/null 2>&1 || { log "go not found (the generators are Go packages of pulumi/pkg)"; exit 1; }

# The generator, built once per version of its sources (the module's go.mod and go.sum pin pkg/v3).
key=$(cat "$wrapper/go.mod" "$wrapper/go.sum" "$wrapper/sdkgen/"*.go | sha256sum | cut -c1-16)
sdkgen="$cache_root/sdkgen/$key/sdkgen"
if [[ ! -x $sdkgen ]]; then
	log "building the generator (pulumi/pkg codegen; a few minutes the first time on 2 cores)"
	mkdir -p "$(dirname "$sdkgen")"
	start=$SECONDS
	(cd "$wrapper" && CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=readonly" go build -trimpath -o "$sdkgen.tmp.$$" ./sdkgen) >&2
	mv -f "$sdkgen.tmp.$$" "$sdkgen"
	log "built in $((SECONDS - start))s"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$sdkgen" "$schema" "$tmp"

excludes=()
for name in "${kept[@]}" "${build_outputs[@]}"; do excludes+=(--exclude="$name"); done

if ((check)); then
	stale=0
	for language in "${languages[@]}"; do
		diff -r "${excludes[@]}" "$tmp/$language" "$repo/sdk/$language" >>"$tmp/diff" 2>&1 || stale=1
	done
	((stale)) || exit 0
	log "sdk/ is stale (not what schema/pai-models.json generates): run scripts/gen-sdks.sh"
	sed -e "s#$tmp/#generated: #g" -e "s#$repo/##g" "$tmp/diff" | head -n 80 >&2
	exit 1
fi

for language in "${languages[@]}"; do
	target="$repo/sdk/$language"
	mkdir -p "$target"
	# Remove generated files the generator no longer writes (never the kept ones or build outputs).
	prune=()
	for name in "${kept[@]}" "${build_outputs[@]}"; do prune+=(-name "$name" -prune -o); done
	while IFS= read -r -d '' file; do
		[[ -e $tmp/$language/${file#"$target"/} ]] || rm -f "$file"
	done < <(find "$target" "${prune[@]}" -type f -print0)
	cp -R "$tmp/$language/." "$target/"
done
log "wrote sdk/nodejs and sdk/go from schema/pai-models.json"
