#!/usr/bin/env bash
# Builds the programs of a local Kubernetes control plane for end-to-end tests:
#   etcd, kube-apiserver, kube-controller-manager and kubectl.
#
# Sources are the published Go modules pinned in the wrapper modules next to
# this script (kube/go.mod and etcd/go.mod). Binaries land in
#   ${OCP_VIRT_NET_CACHE:-$HOME/.cache/ocp-virt-networking}/controlplane/<version>/bin/
# and a binary is rebuilt only when its inputs (wrapper go.mod/go.sum, build
# flags) change, so a warm run takes seconds.
#
# Usage: tools/controlplane/build.sh [--force]
# Env:   OCP_VIRT_NET_CACHE  cache root (default $HOME/.cache/ocp-virt-networking)
#        GO                  go command to use (default: go on PATH, else /usr/local/go/bin/go)
#        GOCACHE, GOMODCACHE, GOFLAGS ... are honoured as usual by go.
# Output: progress on stderr; the bin dir is the last line of stdout.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
force=0
case "${1:-}" in
  --force) force=1 ;;
  "") ;;
  -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "build.sh: unknown argument: $1" >&2; exit 2 ;;
esac

log() { echo "build.sh: $*" >&2; }

GO="${GO:-}"
if [[ -z "$GO" ]]; then
  if command -v go >/dev/null 2>&1; then
    GO="$(command -v go)"
  elif [[ -x /usr/local/go/bin/go ]]; then
    GO=/usr/local/go/bin/go
  else
    log "no Go toolchain found (set GO=/path/to/go)"; exit 1
  fi
fi

# Never silently switch to another toolchain; the wrapper modules need go >= 1.26.
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
export CGO_ENABLED=0

mod_version() { # <wrapper dir> <module path>
  (cd "$here/$1" && "$GO" list -m -f '{{.Version}}' "$2")
}

k8s_version="$(mod_version kube k8s.io/kubernetes)"
etcd_version="$(mod_version etcd go.etcd.io/etcd/server/v3)"
version="${k8s_version}-etcd-${etcd_version}"

cache_root="${OCP_VIRT_NET_CACHE:-$HOME/.cache/ocp-virt-networking}"
vdir="$cache_root/controlplane/$version"
bin="$vdir/bin"
mkdir -p "$bin"

# One build at a time per version directory (tests may call this in parallel).
exec 9>"$vdir/.lock"
flock 9

sha() { sha256sum | cut -c1-64; }

# build_group <wrapper dir> <ldflags> <tags> <name=package>...
build_group() {
  local dir="$1" ldflags="$2" tags="$3"; shift 3
  local stamp
  local goenv
  goenv="$("$GO" env GOVERSION GOOS GOARCH | tr '\n' ' ')"
  stamp="$( { cat "$here/$dir/go.mod" "$here/$dir/go.sum"; echo "$ldflags|$tags|$goenv"; } | sha)"
  local -a need_names=() need_pkgs=()
  local spec name pkg
  for spec in "$@"; do
    name="${spec%%=*}"; pkg="${spec#*=}"
    if [[ $force == 1 || ! -x "$bin/$name" || "$(cat "$bin/.$name.stamp" 2>/dev/null)" != "$stamp" ]]; then
      need_names+=("$name"); need_pkgs+=("$pkg")
    fi
  done
  if [[ ${#need_names[@]} == 0 ]]; then
    log "up to date: $*"
    return 0
  fi
  log "building ${need_names[*]} (module dir $dir) ..."
  local tmp start
  tmp="$(mktemp -d "$vdir/.build.XXXXXX")"
  start=$SECONDS
  # Build from a copy of the wrapper module, so that the work tree may change
  # while a long build runs.
  mkdir "$tmp/mod" "$tmp/out"
  cp "$here/$dir/go.mod" "$here/$dir/go.sum" "$tmp/mod/"
  if ! (cd "$tmp/mod" && "$GO" build -trimpath -tags "$tags" -ldflags "$ldflags" -o "$tmp/out/" "${need_pkgs[@]}"); then
    rm -rf "$tmp"
    log "go build failed in $here/$dir for: ${need_pkgs[*]}"
    exit 1
  fi
  local i
  for i in "${!need_names[@]}"; do
    name="${need_names[$i]}"; pkg="${need_pkgs[$i]}"
    # go build names the file after the last element of the package path,
    # skipping a major-version suffix (.../server/v3 -> server).
    local out="${pkg##*/}"
    if [[ $out =~ ^v[0-9]+$ ]]; then out="${pkg%/*}"; out="${out##*/}"; fi
    mv -f "$tmp/out/$out" "$bin/$name"
    echo "$stamp" > "$bin/.$name.stamp"
  done
  rm -rf "$tmp"
  log "built ${need_names[*]} in $((SECONDS - start))s"
}

# Version stamping as the Kubernetes release build does it, so that
# `kube-apiserver --version`, /version and client version checks report the
# real release.
k8s_minor="${k8s_version#v}"; k8s_minor="${k8s_minor#*.}"; k8s_minor="${k8s_minor%%.*}"
k8s_major="${k8s_version#v}"; k8s_major="${k8s_major%%.*}"
k8s_date="$(cd "$here/kube" && "$GO" list -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' k8s.io/kubernetes)"
kube_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kube_ldflags+=" -X $pkg.gitVersion=$k8s_version"
  kube_ldflags+=" -X $pkg.gitMajor=$k8s_major"
  kube_ldflags+=" -X $pkg.gitMinor=$k8s_minor"
  kube_ldflags+=" -X $pkg.gitCommit="  # not known from a module; empty, not a placeholder
  kube_ldflags+=" -X $pkg.gitTreeState=clean"
  kube_ldflags+=" -X $pkg.buildDate=$k8s_date"
done

build_group etcd "-s -w" "" etcd=go.etcd.io/etcd/server/v3
build_group kube "$kube_ldflags" "selinux,notest,grpcnotrace" \
  kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver \
  kube-controller-manager=k8s.io/kubernetes/cmd/kube-controller-manager \
  kubectl=k8s.io/kubernetes/cmd/kubectl

log "kubernetes $k8s_version, etcd $etcd_version"
log "kubectl: $bin/kubectl"
echo "$bin"
