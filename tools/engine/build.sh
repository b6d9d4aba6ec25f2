#!/usr/bin/env bash
# Build (once) and cache the Pulumi engine pieces this project needs, from Go
# modules only:
#
#   pulumi                       CLI/engine      github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
#   pulumi-language-python       language host   github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python
#   pulumi-language-python-exec  program launcher (script shipped in github.com/pulumi/pulumi/sdk/v3)
#   pulumi-resource-pulumi-python  dynamic provider launcher (script shipped in the same module)
#   pulumi-resource-kubernetes   provider        github.com/pulumi/pulumi-kubernetes/provider/v4
#
# Versions come from versions.env next to this script. Binaries land in
#   ${OCP_VIRT_NET_CACHE:-$HOME/.cache/ocp-virt-networking}/engine/<key>/bin
# and the Kubernetes provider is also installed as a plugin into
# ${PULUMI_HOME:-$HOME/.pulumi}/plugins, where the CLI finds it by version.
#
# Output contract: everything but the result goes to stderr; the last line of
# stdout is the bin directory to put first on PATH, e.g.
#   export PATH="$(tools/engine/build.sh):$PATH"
# With --env, stdout instead holds `export ...` lines for eval.
#
# Usage: build.sh [--env | --sync | --help]
#   --env    print shell export lines (PATH and the Pulumi settings this build
#            relies on) instead of the bare bin directory
#   --sync   after editing versions.env: update go.mod/go.sum of the wrapper
#            modules (cli/, python/, kubernetes/) to the versions it names
set -euo pipefail

# Bump when the way binaries are built changes, to force a rebuild.
RECIPE=1

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mode=bin
case "${1:-}" in
  "") ;;
  --env) mode=env ;;
  --sync) mode=sync ;;
  -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 0 ;;
  *) echo "build.sh: unknown argument: $1 (try --help)" >&2; exit 2 ;;
esac

log() { printf 'engine: %s\n' "$*" >&2; }
die() { printf 'engine: error: %s\n' "$*" >&2; exit 1; }

# shellcheck source=versions.env
. "$here/versions.env"
for v in PULUMI_VERSION PULUMI_PYTHON_SDK_VERSION PULUMI_LANGUAGE_PYTHON_VERSION \
         PULUMI_KUBERNETES_VERSION PULUMI_KUBERNETES_MODULE_VERSION; do
  [ -n "${!v:-}" ] || die "versions.env does not set $v"
done

cli_pkg=github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
lang_pkg=github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python
pulumi_version_var=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version
k8s_mod=github.com/pulumi/pulumi-kubernetes/provider/v4
k8s_version_var=$k8s_mod/pkg/version.Version

# The CLI must not try to reach the network for updates or plugins.
export PULUMI_SKIP_UPDATE_CHECK=true

find_go() {
  if command -v go >/dev/null 2>&1; then command -v go
  elif [ -x /usr/local/go/bin/go ]; then echo /usr/local/go/bin/go
  else return 1
  fi
}

# ---------------------------------------------------------------- --sync mode
if [ "$mode" = sync ]; then
  go=$(find_go) || die "no go command found"
  log "syncing wrapper modules to versions.env"
  (cd "$here/cli" && "$go" get "github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION" \
      "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION" && "$go" mod tidy)
  (cd "$here/python" && "$go" get "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_LANGUAGE_PYTHON_VERSION" \
      && "$go" mod tidy)
  (cd "$here/kubernetes" && "$go" get "$k8s_mod@$PULUMI_KUBERNETES_MODULE_VERSION" && "$go" mod tidy)
  log "done; review the go.mod/go.sum changes"
  exit 0
fi

# The wrapper modules must require exactly the versions in versions.env.
check_require() { # file module version
  grep -Eq "^[[:space:]]*(require[[:space:]]+)?$2 $3( |$)" "$here/$1" ||
    die "$1 does not require $2 $3 (versions.env changed?); run: $0 --sync"
}
check_require cli/go.mod github.com/pulumi/pulumi/pkg/v3 "v$PULUMI_VERSION"
check_require cli/go.mod github.com/pulumi/pulumi/sdk/v3 "v$PULUMI_VERSION"
check_require python/go.mod github.com/pulumi/pulumi/sdk/v3 "v$PULUMI_LANGUAGE_PYTHON_VERSION"
check_require kubernetes/go.mod "$k8s_mod" "$PULUMI_KUBERNETES_MODULE_VERSION"

# ------------------------------------------------------------------ cache key
cache_root=${OCP_VIRT_NET_CACHE:-$HOME/.cache/ocp-virt-networking}/engine
inputs_hash=$(
  cd "$here"
  { echo "recipe $RECIPE"; cat versions.env cli/go.mod cli/go.sum cli/tools.go \
      python/go.mod python/go.sum python/tools.go \
      kubernetes/go.mod kubernetes/go.sum kubernetes/main.go; } | sha256sum | cut -c1-12
)
key="pulumi-$PULUMI_VERSION-kubernetes-$PULUMI_KUBERNETES_VERSION-$inputs_hash"
dir=$cache_root/$key
bin=$dir/bin
plugin_dir=$dir/plugins
pulumi_home=${PULUMI_HOME:-$HOME/.pulumi}
k8s_plugin_name=resource-kubernetes-v$PULUMI_KUBERNETES_VERSION
k8s_installed=$pulumi_home/plugins/$k8s_plugin_name/pulumi-resource-kubernetes

# ------------------------------------------------------------------- helpers
version_ge() { # a b: is version a >= version b (leading v ignored)
  local a=${1#v} b=${2#v}
  [ "$(printf '%s\n%s\n' "$b" "$a" | sort -V | head -n1)" = "$b" ]
}

# First executable NAME on PATH that is not inside our own cache.
find_foreign() {
  local d IFS=:
  for d in $PATH; do
    [ -n "$d" ] || continue
    case "$d/" in "$cache_root"/*) continue ;; esac
    if [ -x "$d/$1" ] && [ ! -d "$d/$1" ]; then echo "$d/$1"; return 0; fi
  done
  return 1
}

go_cmd=
need_go() {
  [ -n "$go_cmd" ] && return 0
  go_cmd=$(find_go) || die "a binary must be built but no go command was found"
  export CGO_ENABLED=0
  # Build from the committed go.mod/go.sum; never edit them during a build.
  export GOFLAGS="-mod=readonly -buildvcs=false"
  log "using $("$go_cmd" version)"
}

# Copy a wrapper module into the cache so that builds never write to the repo.
stage() { # name
  local src=$dir/src/$1
  rm -rf "$src"
  mkdir -p "$src"
  cp "$here/$1"/go.mod "$here/$1"/go.sum "$src"/
  find "$here/$1" -maxdepth 1 -name '*.go' -exec cp {} "$src"/ \;
  echo "$src"
}

# Download a module (module@version, or a module of the build list when run in
# a staged wrapper module) and print its directory in the module cache.
module_dir() { # run-in-dir module[@version]
  (cd "$1" && "$go_cmd" mod download -json "$2" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
}

# ------------------------------------------------------------ adopt or build
mkdir -p "$bin" "$plugin_dir"

build_needed=0
cli_adopted=
if [ ! -x "$bin/pulumi" ]; then
  if existing=$(find_foreign pulumi); then
    have=$("$existing" version 2>/dev/null | head -n1 || true)
    if [ -n "$have" ] && version_ge "$have" "$PULUMI_VERSION"; then
      log "using existing pulumi $have at $existing (>= $PULUMI_VERSION)"
      ln -sfn "$existing" "$bin/pulumi"
      cli_adopted=$existing
    fi
  fi
fi
if [ -n "$cli_adopted" ] || [ -L "$bin/pulumi" ]; then
  # A released CLI ships its language hosts next to itself; use that one.
  real_dir=$(dirname "$(readlink -f "$bin/pulumi")")
  if [ ! -e "$bin/pulumi-language-python" ] && [ -x "$real_dir/pulumi-language-python" ]; then
    ln -sfn "$real_dir/pulumi-language-python" "$bin/pulumi-language-python"
  fi
fi

have_k8s_plugin() {
  [ -x "$k8s_installed" ] && [ ! -e "$pulumi_home/plugins/$k8s_plugin_name.partial" ] &&
    { [ ! -x "$plugin_dir/pulumi-resource-kubernetes" ] ||
      cmp -s "$k8s_installed" "$plugin_dir/pulumi-resource-kubernetes"; }
}

k8s_ambient=
if existing=$(find_foreign pulumi-resource-kubernetes); then
  # The CLI prefers a provider found on PATH over installed plugins, whatever
  # its version. Accept it only if its build info says it is new enough (only
  # builds made without -trimpath record their -ldflags there).
  have=
  if gocmd=$(find_go); then
    have=$("$gocmd" version -m "$existing" 2>/dev/null |
      sed -n "s/.*-X[= ]$(printf '%s' "$k8s_version_var" | sed 's/[./]/\\&/g')=v\{0,1\}\([0-9][0-9A-Za-z.+-]*\).*/\1/p" | head -n1)
  fi
  if [ -n "$have" ] && version_ge "$have" "$PULUMI_KUBERNETES_VERSION"; then
    log "using existing pulumi-resource-kubernetes $have at $existing (>= $PULUMI_KUBERNETES_VERSION)"
    k8s_ambient=$existing
  else
    log "warning: $existing is on PATH and will be used by the CLI instead of the" \
        "pinned provider (version ${have:-unknown}); remove it from PATH or set" \
        "PULUMI_IGNORE_AMBIENT_PLUGINS=true"
  fi
fi

[ -x "$bin/pulumi" ] || build_needed=1
[ -x "$bin/pulumi-language-python" ] || build_needed=1
# An installed plugin of exactly the pinned version (from an earlier build or a
# release) is what the CLI will use; nothing to build then.
[ -n "$k8s_ambient" ] || [ -x "$plugin_dir/pulumi-resource-kubernetes" ] || have_k8s_plugin ||
  build_needed=1

if [ "$build_needed" = 1 ]; then
  need_go
  # One builder per cache key at a time.
  exec 9>"$dir/.lock"
  if command -v flock >/dev/null 2>&1; then flock 9; fi
  t0=$(date +%s)

  if [ ! -x "$bin/pulumi" ]; then
    log "building pulumi v$PULUMI_VERSION (takes several minutes)"
    src=$(stage cli)
    (cd "$src" && "$go_cmd" build -trimpath \
        -ldflags "-s -w -X $pulumi_version_var=v$PULUMI_VERSION" \
        -o "$bin/.pulumi.tmp" "$cli_pkg")
    mv -f "$bin/.pulumi.tmp" "$bin/pulumi"
  fi

  if [ ! -x "$bin/pulumi-language-python" ]; then
    log "building pulumi-language-python v$PULUMI_LANGUAGE_PYTHON_VERSION"
    src=$(stage python)
    (cd "$src" && "$go_cmd" build -trimpath \
        -ldflags "-s -w -X $pulumi_version_var=v$PULUMI_LANGUAGE_PYTHON_VERSION" \
        -o "$bin/.pulumi-language-python.tmp" "$lang_pkg")
    # The host runs programs through this script, which it expects next to
    # itself; take it from the SDK module matching the Python SDK pin.
    sdk_dir=$(module_dir "$dir" "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_PYTHON_SDK_VERSION")
    [ -n "$sdk_dir" ] || die "could not download github.com/pulumi/pulumi/sdk/v3@v$PULUMI_PYTHON_SDK_VERSION"
    install -m 0755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$bin/pulumi-language-python-exec"
    mv -f "$bin/.pulumi-language-python.tmp" "$bin/pulumi-language-python"
  fi

  if [ -z "$k8s_ambient" ] && [ ! -x "$plugin_dir/pulumi-resource-kubernetes" ] && ! have_k8s_plugin; then
    log "building pulumi-resource-kubernetes $PULUMI_KUBERNETES_VERSION"
    src=$(stage kubernetes)
    mod_dir=$(module_dir "$src" "$k8s_mod")
    [ -n "$mod_dir" ] || die "could not download $k8s_mod"
    gen=$mod_dir/cmd/pulumi-resource-kubernetes
    # The provider embeds its schema with the version stamped in. That file
    # is generated (and not published in the module): run the module's own
    # generator on the schema.json/terraform-mapping.json the module ships.
    install -m 0644 "$gen/schema.json" "$gen/terraform-mapping.json" "$src"/
    (cd "$src" && VERSION=$PULUMI_KUBERNETES_VERSION "$go_cmd" run "$gen/generate.go")
    rm -f "$src/schema.json" "$src/terraform-mapping.json"
    (cd "$src" && "$go_cmd" build -trimpath \
        -ldflags "-s -w -X $k8s_version_var=$PULUMI_KUBERNETES_VERSION" \
        -o "$plugin_dir/.pulumi-resource-kubernetes.tmp" .)
    mv -f "$plugin_dir/.pulumi-resource-kubernetes.tmp" "$plugin_dir/pulumi-resource-kubernetes"
  fi
  rm -rf "$dir/src"
  log "built in $(( $(date +%s) - t0 ))s"
fi

# Dynamic providers written in Python (the program's generated guest password) run through this launcher,
# which the CLI looks for on PATH. A released CLI ships it next to itself; otherwise take it from the SDK
# module matching the Python SDK pin.
if [ ! -x "$bin/pulumi-resource-pulumi-python" ]; then
  real_dir=$(dirname "$(readlink -f "$bin/pulumi")")
  if [ -x "$real_dir/pulumi-resource-pulumi-python" ]; then
    ln -sfn "$real_dir/pulumi-resource-pulumi-python" "$bin/pulumi-resource-pulumi-python"
  else
    need_go
    sdk_dir=$(module_dir "$dir" "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_PYTHON_SDK_VERSION")
    [ -n "$sdk_dir" ] || die "could not download github.com/pulumi/pulumi/sdk/v3@v$PULUMI_PYTHON_SDK_VERSION"
    install -m 0755 "$sdk_dir/python/dist/pulumi-resource-pulumi-python" "$bin/pulumi-resource-pulumi-python"
  fi
fi

# Install the provider into PULUMI_HOME's plugin cache under its exact version,
# so the CLI resolves the version the Python SDK asks for without downloading.
if [ -z "$k8s_ambient" ] && ! have_k8s_plugin; then
  log "installing $k8s_plugin_name into $pulumi_home/plugins"
  rm -rf "${k8s_installed%/*}" "$pulumi_home/plugins/$k8s_plugin_name.partial"
  PULUMI_HOME=$pulumi_home "$bin/pulumi" plugin install resource kubernetes \
    "v$PULUMI_KUBERNETES_VERSION" --file "$plugin_dir/pulumi-resource-kubernetes" >&2
  have_k8s_plugin || die "plugin install did not produce $k8s_installed"
fi

if [ "$mode" = env ]; then
  printf 'export PATH=%q:"$PATH"\n' "$bin"
  echo 'export PULUMI_SKIP_UPDATE_CHECK=true'
  echo 'export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true'
else
  echo "$bin"
fi
