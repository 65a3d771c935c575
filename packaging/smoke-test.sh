#!/usr/bin/env bash
# Install Berth's Linux package and check that it starts and shows the engine's containers.
#
#   bash packaging/smoke-test.sh            install dist/berth_*.deb (as root), test, uninstall
#   bash packaging/smoke-test.sh --tar      unpack dist/berth-*-linux-*.tar.gz, test, delete
#   KEEP=1 bash packaging/smoke-test.sh     leave the package installed
#
# Checks, in order: the installed files; `berth --version`; the bundle's self-check
# (BERTH_SELF_CHECK=1: resources through importlib.resources, Qt plugins, keyring,
# docker transport, CA bundle; see packaging/rthook_selfcheck.py); the app, offscreen,
# against the real engine with --exit-when-loaded (status 0 once the containers table
# is filled); the same under Xvfb with the xcb plugin and the system's X libraries
# when xvfb-run is there; and that an engine that does not answer makes it fail.
# Needs a running engine (bash scripts/testbed.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

MODE=deb
case "${1:-}" in
    --tar) MODE=tar ;;
    --deb|"") ;;
    *) echo "usage: bash packaging/smoke-test.sh [--deb|--tar]" >&2; exit 2 ;;
esac

say() { printf 'smoke-test: %s\n' "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }

VERSION=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' desktop/__init__.py)
ARCH=$(dpkg --print-architecture 2>/dev/null || uname -m)
timeout 10 docker version >/dev/null 2>&1 || die "no Docker engine answers (start one: bash scripts/testbed.sh)"

# A container of our own, so the table has at least one row to show.
LABEL=io.berth.smoke-test
IMAGE=$(docker images --format '{{.Repository}}:{{.Tag}}' | grep -v '<none>' | head -1)
[ -n "$IMAGE" ] || die "the engine has no image to create a container from"
CID=$(docker create --label "$LABEL=1" --name "berth-smoke-$$" "$IMAGE" true)
TMP=$(mktemp -d)
cleanup() {
    docker rm -f "$CID" >/dev/null 2>&1 || true
    rm -rf "$TMP"
    if [ "$MODE" = deb ] && [ "${KEEP:-0}" != 1 ] && [ -n "${INSTALLED:-}" ]; then
        say "removing the package"
        apt-get remove -y -q berth >/dev/null 2>&1 || dpkg -r berth >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT

if [ "$MODE" = deb ]; then
    DEB=$ROOT/dist/berth_${VERSION}_${ARCH}.deb
    [ -f "$DEB" ] || die "no $DEB (build it: bash packaging/build-linux.sh)"
    [ "$(id -u)" = 0 ] || die "installing a .deb needs root"
    say "installing $DEB"
    # apt installs the Depends the machine lacks; dpkg alone would refuse.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall "$DEB" >"$TMP/apt.log" 2>&1 \
        || { cat "$TMP/apt.log" >&2; die "apt-get could not install the package"; }
    INSTALLED=1
    BERTH=/usr/bin/berth
    SHARE=/usr/share
    [ "$(readlink -f /usr/bin/berth)" = /opt/berth/berth ] || die "/usr/bin/berth does not lead to /opt/berth/berth"
    dpkg -L berth | grep -qx /opt/berth/_internal/libpython3.11.so.1.0 || say "note: no libpython3.11 (another Python?)"
else
    TARBALL=$ROOT/dist/berth-$VERSION-linux-$ARCH.tar.gz
    [ -f "$TARBALL" ] || die "no $TARBALL (build it: bash packaging/build-linux.sh)"
    say "unpacking $TARBALL"
    tar -C "$TMP" -xzf "$TARBALL"
    BERTH=$TMP/berth-$VERSION/berth
    SHARE=$TMP/berth-$VERSION/share
fi

# ---------------------------------------------------------------- installed files
[ -x "$BERTH" ] || die "$BERTH is not executable"
for f in applications/io.berth.Berth.desktop metainfo/io.berth.Berth.metainfo.xml \
         icons/hicolor/scalable/apps/io.berth.Berth.svg icons/hicolor/256x256/apps/io.berth.Berth.png; do
    [ -f "$SHARE/$f" ] || die "missing $SHARE/$f"
done
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$SHARE/applications/io.berth.Berth.desktop" || die "the desktop entry is invalid"
fi
if command -v appstreamcli >/dev/null; then
    appstreamcli validate --no-net "$SHARE/metainfo/io.berth.Berth.metainfo.xml" >/dev/null \
        || die "the AppStream metadata is invalid"
fi
say "ok: files"

# ---------------------------------------------------------------- --version
out=$(env -u QT_QPA_PLATFORM -u DISPLAY -u WAYLAND_DISPLAY "$BERTH" --version 2>&1) \
    || die "berth --version exited with $?: $out"
[ "$out" = "Berth $VERSION" ] || die "berth --version printed '$out', not 'Berth $VERSION'"
say "ok: $out"

# ---------------------------------------------------------------- the bundle's self-check
BERTH_SELF_CHECK=1 QT_QPA_PLATFORM=offscreen "$BERTH" >"$TMP/selfcheck.txt" 2>&1 \
    || { cat "$TMP/selfcheck.txt" >&2; die "the self-check failed"; }
sed 's/^/    /' "$TMP/selfcheck.txt" >&2
say "ok: self-check"

# ---------------------------------------------------------------- start against the engine
run_loaded() {  # label, then the command that runs berth (env ..., xvfb-run ...)
    local label=$1; shift
    local start end status=0
    start=$(date +%s.%N)
    timeout 90 "$@" "$BERTH" --exit-when-loaded --load-timeout 60 >"$TMP/run.log" 2>&1 || status=$?
    end=$(date +%s.%N)
    if [ "$status" != 0 ]; then
        cat "$TMP/run.log" >&2
        die "$label: berth --exit-when-loaded exited with $status"
    fi
    say "ok: $label: containers table filled, exit 0 after $(awk "BEGIN { printf \"%.2f\", $end - $start }") s"
}
# HOME is a fresh directory: no settings or Docker config of the user running this.
export HOME=$TMP/home XDG_CONFIG_HOME=$TMP/home/.config XDG_RUNTIME_DIR=$TMP/run
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
run_loaded "offscreen" env QT_QPA_PLATFORM=offscreen
if command -v xvfb-run >/dev/null; then
    run_loaded "Xvfb (xcb plugin)" env -u QT_QPA_PLATFORM xvfb-run -a
else
    say "skipped: Xvfb run (no xvfb-run)"
fi

# An engine that does not answer must not count as loaded.
status=0
QT_QPA_PLATFORM=offscreen DOCKER_HOST=unix://$TMP/no-engine.sock \
    timeout 60 "$BERTH" --exit-when-loaded --load-timeout 3 >"$TMP/noengine.log" 2>&1 || status=$?
[ "$status" != 0 ] || die "with no engine, --exit-when-loaded still exited with 0"
say "ok: with no engine it exits with $status"

say "passed ($MODE)"
