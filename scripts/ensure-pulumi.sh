#!/usr/bin/env bash
# Ensure a working Pulumi CLI (plus the language hosts and plugins it needs) is available,
# building it from the Go module proxy if necessary.
#
# Usage: scripts/ensure-pulumi.sh [--with nodejs,go]
#   Prints, alone on its LAST stdout line, the directory that holds `pulumi`
#   and its plugins. Progress messages go to stderr. Exit status 0 on success.
#   With the cached build the directory is .../pulumi-v3.260.0/bin, so its
#   parent can be passed as pulumi.automation.PulumiCommand(root=...).
#   --with LANGS  also the language hosts of LANGS (comma-separated: nodejs, go), for
#                 TypeScript/JavaScript and Go programs; only on request, so the demo and
#                 the Python and YAML tests never wait for them.
#
# Environment:
#   PAI_MODELS_BUILD_PULUMI=1  ignore any `pulumi` on PATH, use/build the cached one
#   PAI_MODELS_CACHE           cache root (default: $HOME/.cache/pulumi-pai-models)
#   PAI_MODELS_LANGUAGES       like --with (both are added up)
#
# Order: 1) `pulumi` on PATH reporting >= 3.260.0 (a release install, with its own
# language hosts); 2) the cached build, if every piece below is in place; 3) build
# or repair, with Go, only the pieces that are missing or out of date, each on its
# own (so an older cache is upgraded in place without rebuilding the CLI), under a
# lock, each file moved into place when it is complete.
#
# The pieces, all in the cache's bin/:
#   pulumi                          the CLI v3.260.0; scripts/pulumi-wrapper pins it (go.mod, go.sum)
#   pulumi-language-python-real     the Python language host of sdk/v3 v3.68.0 (scripts/pulumi-wrapper/language-python)
#   pulumi-language-python-exec     the script that host runs (from the sdk/v3 v3.260.0 module)
#   pulumi-resource-pulumi-python-real  the dynamic provider's shell shim (idem)
#   pulumi-language-python          the launcher (scripts/pulumi-wrapper/language-launcher): reads
#   pulumi-resource-pulumi-python   Pulumi.yaml's runtime options and execs the two above (see its main.go)
#   pulumi-language-yaml            Pulumi YAML's language host v1.25.0 (go install ...@v1.25.0)
# and on request (--with):
#   pulumi-language-nodejs-real     the Node.js language host of sdk/v3 v3.68.0 (scripts/pulumi-wrapper/language-nodejs)
#   pulumi-language-go-real         the Go language host of sdk/v3 v3.66.0 (scripts/pulumi-wrapper/language-go)
#   pulumi-language-nodejs, pulumi-language-go   the launcher again, under those names
# bin/../stamps/<piece> records what each piece was built from; a piece whose stamp differs is rebuilt.
set -euo pipefail

PULUMI_VERSION=3.260.0
SDK_MODULE=github.com/pulumi/pulumi/sdk/v3
CLI_PACKAGE=github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
# The Python language host of 3.260 is a separate module that the module proxy
# refuses (403). v3.68.0 is the newest sdk/v3 on the proxy that still holds it;
# scripts/pulumi-wrapper/language-python pins that. It reads runtime options
# only from flags (-root, -virtualenv), which CLIs since 3.209 no longer pass:
# the launcher passes them. Automation API inline programs use neither.
LANGHOST_VERSION=3.68.0
LANGHOST_PACKAGE=github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python
# The Node.js and Go hosts likewise: the newest sdk/v3 holding each (later ones are separate modules the proxy
# refuses); pinned by their own modules in scripts/pulumi-wrapper, fronted by the same launcher.
NODEJS_HOST_VERSION=3.68.0
NODEJS_HOST_PACKAGE=github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
GO_HOST_VERSION=3.66.0
GO_HOST_PACKAGE=github.com/pulumi/pulumi/sdk/v3/go/pulumi-language-go
YAML_VERSION=1.25.0
YAML_PACKAGE=github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
wrapper_dir="$script_dir/pulumi-wrapper"
launcher_dir="$wrapper_dir/language-launcher"
cache_root="${PAI_MODELS_CACHE:-$HOME/.cache/pulumi-pai-models}"
install_dir="$cache_root/pulumi-v$PULUMI_VERSION"
bin_dir="$install_dir/bin"
stamp_dir="$install_dir/stamps"

log() { printf 'ensure-pulumi: %s\n' "$*" >&2; }

# The language hosts asked for (--with, $PAI_MODELS_LANGUAGES).
requested="${PAI_MODELS_LANGUAGES:-}"
while (($#)); do
	case "$1" in
	--with) requested+=",${2:?--with needs a list, e.g. nodejs,go}"; shift 2 ;;
	--with=*) requested+=",${1#--with=}"; shift ;;
	*) log "unknown argument '$1' (usage: ensure-pulumi.sh [--with nodejs,go])"; exit 2 ;;
	esac
done
with_nodejs=0 with_go=0
IFS=, read -r -a asked <<<"$requested"
for language in "${asked[@]}"; do
	case "$language" in
	"") ;;
	nodejs | typescript) with_nodejs=1 ;;
	go) with_go=1 ;;
	*) log "unknown language '$language' (this script builds hosts for: nodejs, go)"; exit 2 ;;
	esac
done

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

# -- the pieces: what each should be built from, and whether it is in place ----------------------

launcher_key() { cat "$launcher_dir/go.mod" "$launcher_dir/go.sum" "$launcher_dir"/*.go | sha256sum | cut -d' ' -f1; }
langhost_key="sdk/v3@v$LANGHOST_VERSION"
scripts_key="sdk/v3@v$PULUMI_VERSION"
yaml_key="pulumi-yaml@v$YAML_VERSION"

stamp_is() { [[ -f $stamp_dir/$1 && $(<"$stamp_dir/$1") == "$2" ]]; }
executable() { [[ -x $bin_dir/$1 && -f $bin_dir/$1 ]]; }

cli_ok() { executable pulumi && [[ $(cli_version "$bin_dir/pulumi") == "$PULUMI_VERSION" ]]; }
langhost_ok() { executable pulumi-language-python-real && stamp_is langhost "$langhost_key"; }
scripts_ok() {
	executable pulumi-language-python-exec && executable pulumi-resource-pulumi-python-real && stamp_is scripts "$scripts_key"
}
launcher_ok() {
	executable pulumi-language-python && executable pulumi-resource-pulumi-python && stamp_is launcher "$(launcher_key)"
}
yaml_ok() { executable pulumi-language-yaml && stamp_is yaml "$yaml_key"; }
# Language host $1 (nodejs, go) at sdk/v3 version $2: the real host, and the launcher under its name.
host_ok() {
	executable "pulumi-language-$1-real" && stamp_is "$1-host" "sdk/v3@v$2" &&
		executable "pulumi-language-$1" && stamp_is "$1-launcher" "$(launcher_key)"
}
nodejs_ok() { ((!with_nodejs)) || host_ok nodejs "$NODEJS_HOST_VERSION"; }
go_ok() { ((!with_go)) || host_ok go "$GO_HOST_VERSION"; }

cache_ok() { cli_ok && langhost_ok && scripts_ok && launcher_ok && yaml_ok && nodejs_ok && go_ok; }

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

# 3. Build or repair what is missing.
if ! command -v go >/dev/null 2>&1; then
	[[ -x /usr/local/go/bin/go ]] && PATH="/usr/local/go/bin:$PATH"
fi
command -v go >/dev/null 2>&1 || { log "go not found (need Go to build pulumi $PULUMI_VERSION and its plugins)"; exit 1; }

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

mkdir -p "$bin_dir" "$stamp_dir"
tmp_dir=$(mktemp -d "$cache_root/.build-pulumi-v$PULUMI_VERSION.XXXXXX")
trap 'rm -rf "$tmp_dir"' EXIT
export CGO_ENABLED=0

# Move a finished file into bin/ (an atomic rename on the same filesystem).
install_bin() {
	chmod 0755 "$1"
	mv -f "$1" "$bin_dir/$2"
}

write_stamp() {
	printf '%s\n' "$2" >"$tmp_dir/stamp"
	mv -f "$tmp_dir/stamp" "$stamp_dir/$1"
}

# Build Go package $3 in module dir $1 into $tmp_dir/$2 with version ldflags $4 (the module's go.sum pins it).
go_build() {
	local start=$SECONDS
	(
		cd "$1"
		GOFLAGS="${GOFLAGS:-} -mod=readonly" go build -trimpath -tags osusergo,grpcnotrace -ldflags "$4" -o "$tmp_dir/$2" "$3"
	) >&2
	log "built $2 in $((SECONDS - start))s"
}

if ! cli_ok; then
	log "building pulumi v$PULUMI_VERSION with $(go version) (takes ~5-20 min on 2 cores the first time)"
	go_build "$wrapper_dir" pulumi "$CLI_PACKAGE" "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
	got=$(cli_version "$tmp_dir/pulumi")
	[[ $got == "$PULUMI_VERSION" ]] || { log "built pulumi reports '$got', expected $PULUMI_VERSION"; exit 1; }
	install_bin "$tmp_dir/pulumi" pulumi
fi

if ! langhost_ok; then
	log "building the Python language host v$LANGHOST_VERSION"
	go_build "$wrapper_dir/language-python" pulumi-language-python-real "$LANGHOST_PACKAGE" \
		"-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$LANGHOST_VERSION"
	install_bin "$tmp_dir/pulumi-language-python-real" pulumi-language-python-real
	write_stamp langhost "$langhost_key"
fi

if ! scripts_ok; then
	sdk_dir=$(cd "$wrapper_dir" && GOFLAGS="${GOFLAGS:-} -mod=readonly" go mod download -json "$SDK_MODULE" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
	[[ -n $sdk_dir && -d $sdk_dir/python ]] || { log "sdk module dir not found: '$sdk_dir'"; exit 1; }
	cp "$sdk_dir/python/cmd/pulumi-language-python-exec" "$tmp_dir/pulumi-language-python-exec"
	cp "$sdk_dir/python/dist/pulumi-resource-pulumi-python" "$tmp_dir/pulumi-resource-pulumi-python-real"
	install_bin "$tmp_dir/pulumi-language-python-exec" pulumi-language-python-exec
	install_bin "$tmp_dir/pulumi-resource-pulumi-python-real" pulumi-resource-pulumi-python-real
	write_stamp scripts "$scripts_key"
fi

# After the real host and shim: the launcher execs them.
if ! launcher_ok; then
	log "building the launcher (pulumi-language-python, pulumi-resource-pulumi-python)"
	key=$(launcher_key)
	go_build "$launcher_dir" pulumi-language-python . "-s -w"
	cp "$tmp_dir/pulumi-language-python" "$tmp_dir/pulumi-resource-pulumi-python"
	install_bin "$tmp_dir/pulumi-resource-pulumi-python" pulumi-resource-pulumi-python
	install_bin "$tmp_dir/pulumi-language-python" pulumi-language-python
	write_stamp launcher "$key"
fi

if ! yaml_ok; then
	log "building Pulumi YAML's language host v$YAML_VERSION (about 1 min on 2 cores the first time)"
	start=$SECONDS
	# `go install pkg@version` builds with the module's own go.mod and go.sum (checked against the
	# checksum database); it has no replace directives, so no wrapper module is needed.
	(
		cd "$tmp_dir"
		GOBIN="$tmp_dir/gobin" go install -trimpath \
			-ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=v$YAML_VERSION" \
			"$YAML_PACKAGE@v$YAML_VERSION"
	) >&2
	log "built pulumi-language-yaml in $((SECONDS - start))s"
	install_bin "$tmp_dir/gobin/pulumi-language-yaml" pulumi-language-yaml
	write_stamp yaml "$yaml_key"
fi

# Language host $1 (nodejs, go), package $3 of sdk/v3 version $2, pinned by scripts/pulumi-wrapper/language-$1;
# then the launcher (already in place above) under the host's name.
build_host() {
	local key="sdk/v3@v$2"
	if ! { executable "pulumi-language-$1-real" && stamp_is "$1-host" "$key"; }; then
		log "building the $1 language host v$2 (1-2 minutes on 2 cores the first time)"
		go_build "$wrapper_dir/language-$1" "pulumi-language-$1-real" "$3" \
			"-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$2"
		install_bin "$tmp_dir/pulumi-language-$1-real" "pulumi-language-$1-real"
		write_stamp "$1-host" "$key"
	fi
	if ! { executable "pulumi-language-$1" && stamp_is "$1-launcher" "$(launcher_key)"; }; then
		cp "$bin_dir/pulumi-language-python" "$tmp_dir/pulumi-language-$1"
		install_bin "$tmp_dir/pulumi-language-$1" "pulumi-language-$1"
		write_stamp "$1-launcher" "$(launcher_key)"
	fi
}
((!with_nodejs)) || nodejs_ok || build_host nodejs "$NODEJS_HOST_VERSION" "$NODEJS_HOST_PACKAGE"
((!with_go)) || go_ok || build_host go "$GO_HOST_VERSION" "$GO_HOST_PACKAGE"

cache_ok || { log "the cache in $install_dir is still incomplete after the build"; exit 1; }
log "installed into $bin_dir"
printf '%s\n' "$bin_dir"
