#!/usr/bin/env bash
# Build Berth for Linux: the PyInstaller bundle, a .deb and a .tar.gz.
#
#   bash packaging/build-linux.sh                  build everything
#   bash packaging/build-linux.sh --reuse-bundle   package the dist/berth/ already built
#
# Output (version and architecture from desktop/__init__.py and dpkg):
#   dist/berth/                              the bundle (berth + _internal/)
#   dist/berth_<version>_<arch>.deb          installs to /opt/berth, /usr/bin/berth, menu entry, icons
#   dist/berth-<version>-linux-<arch>.tar.gz the bundle plus share/ (desktop entry, metadata, icons)
#
# Debian or Ubuntu. Uses the project's virtual environment (.venv, or $PYTHON) and
# installs PyInstaller into it when missing. The .deb's Depends are worked out from
# the libraries the bundle leaves to the system (see LINUX_SYSTEM_LIBS in berth.spec),
# so the libraries must be installed on the build machine (scripts/system-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

REUSE=0
case "${1:-}" in
    --reuse-bundle) REUSE=1 ;;
    "") ;;
    *) echo "usage: bash packaging/build-linux.sh [--reuse-bundle]" >&2; exit 2 ;;
esac

say() { printf 'build-linux: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
if [ ! -x "$PYTHON" ]; then
    say "creating .venv"
    python3 -m venv .venv
    PYTHON=$ROOT/.venv/bin/python
fi
if ! "$PYTHON" -c "import PySide6, docker, qasync, keyring, desktop" 2>/dev/null; then
    say "installing Berth and its dependencies into $(dirname "$(dirname "$PYTHON")")"
    "$PYTHON" -m pip install -q --disable-pip-version-check -e ".[package]"
fi
if ! "$PYTHON" -c "import PyInstaller" 2>/dev/null; then
    say "installing PyInstaller"
    "$PYTHON" -m pip install -q --disable-pip-version-check "pyinstaller>=6.10"
fi
for tool in dpkg-deb readelf ldconfig; do
    command -v "$tool" >/dev/null || die "$tool is missing (Debian packages dpkg, binutils, libc-bin)"
done

VERSION=$("$PYTHON" -c "import runpy; print(runpy.run_path('desktop/__init__.py')['__version__'])")
ARCH=$(dpkg --print-architecture)
DIST=$ROOT/dist
WORK=$ROOT/build/linux
BUNDLE=$DIST/berth

# ---------------------------------------------------------------- the bundle
if [ "$REUSE" = 0 ]; then
    say "PyInstaller bundle (Berth $VERSION)"
    "$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
        --distpath "$DIST" --workpath "$ROOT/build/pyinstaller" packaging/berth.spec
fi
[ -x "$BUNDLE/berth" ] || die "no $BUNDLE/berth after PyInstaller"

# ---------------------------------------------------------------- desktop integration files
# share/: the same tree goes to /usr/share in the .deb and into the tarball.
rm -rf "$WORK"
mkdir -p "$WORK"
SHARE=$WORK/share
install -Dm644 packaging/linux/io.berth.Berth.desktop "$SHARE/applications/io.berth.Berth.desktop"
install -Dm644 packaging/linux/io.berth.Berth.metainfo.xml "$SHARE/metainfo/io.berth.Berth.metainfo.xml"
install -Dm644 resources/berth.svg "$SHARE/icons/hicolor/scalable/apps/io.berth.Berth.svg"
for png in resources/appicon/berth-*.png; do
    size=${png##*/berth-}; size=${size%.png}
    install -Dm644 "$png" "$SHARE/icons/hicolor/${size}x${size}/apps/io.berth.Berth.png"
done

# ---------------------------------------------------------------- Depends
# Every shared library an ELF file in the bundle needs and the bundle does not hold,
# mapped to the Debian package that provides it.
declare -A bundled=()
while IFS= read -r f; do bundled[${f##*/}]=1; done < <(find "$BUNDLE" \( -type f -o -type l \) -name '*.so*')
mapfile -t needed < <(find "$BUNDLE" -type f \( -name '*.so*' -o -perm -u+x \) -print0 \
    | xargs -0 readelf -d 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u)
case "$ARCH" in
    amd64) ldarch="x86-64" ;;
    arm64) ldarch="AArch64" ;;
    *) ldarch="" ;;
esac
LDCACHE=$(ldconfig -p)
declare -A found=()      # soname -> its path in the linker cache
missing=()
for lib in "${needed[@]}"; do
    [ -n "${bundled[$lib]:-}" ] && continue
    path=$(awk -v lib="$lib" -v arch="$ldarch" \
        '$1 == lib && (arch == "" || index($0, arch)) && !done { print $NF; done = 1 }' <<<"$LDCACHE")
    if [ -n "$path" ]; then found[$lib]=$path; else missing+=("$lib"); fi
done
# dpkg records a file under /lib or /usr/lib (merged /usr), and the cache may name a
# symlink: ask about every spelling at once (one dpkg -S is slow, each reads all lists).
candidates() { local p=$1; printf '%s\n' "$p" "$(readlink -f "$p")" "/usr${p#/usr}" "${p#/usr}"; }
declare -A owner=()      # path -> package
while IFS= read -r line; do
    pkg=${line%%: *}; owner[${line#*: }]=${pkg%%:*}
done < <(for lib in "${!found[@]}"; do candidates "${found[$lib]}"; done | sort -u \
         | xargs -d '\n' dpkg -S 2>/dev/null | grep -v '^diversion' || true)
declare -A packages=()
for lib in "${!found[@]}"; do
    pkg=""
    while IFS= read -r c; do
        [ -n "${owner[$c]:-}" ] && { pkg=${owner[$c]}; break; }
    done < <(candidates "${found[$lib]}")
    if [ -n "$pkg" ]; then packages[$pkg]=1; else missing+=("$lib (${found[$lib]}, in no package)"); fi
done
[ ${#missing[@]} -eq 0 ] || die "libraries the bundle needs are not installed: ${missing[*]} (see scripts/system-deps.sh)"
DEPENDS=$(printf '%s\n' "${!packages[@]}" | sort | paste -sd, | sed 's/,/, /g')
say "Depends: $DEPENDS"

# ---------------------------------------------------------------- the .deb
DEBROOT=$WORK/deb
mkdir -p "$DEBROOT/opt" "$DEBROOT/usr/bin" "$DEBROOT/DEBIAN" "$DEBROOT/usr/share/doc/berth"
cp -a "$BUNDLE" "$DEBROOT/opt/berth"
ln -s ../../opt/berth/berth "$DEBROOT/usr/bin/berth"
cp -a "$SHARE/." "$DEBROOT/usr/share/"
cat > "$DEBROOT/usr/share/doc/berth/copyright" <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: Berth

Files: *
License: MIT

Files: opt/berth/_internal/*
Comment: Berth's bundle carries its runtime: CPython (PSF License), Qt and PySide6
 (LGPL-3.0), the docker SDK, requests and urllib3 (Apache-2.0, MIT), keyring (MIT),
 cryptography (Apache-2.0 or BSD-3-Clause), OpenSSL (Apache-2.0), ICU (Unicode-3.0).
License: various
EOF
find "$DEBROOT" -type d -exec chmod 0755 {} +
INSTALLED_KB=$(du -sk --exclude=DEBIAN "$DEBROOT" | cut -f1)
cat > "$DEBROOT/DEBIAN/control" <<EOF
Package: berth
Version: $VERSION
Architecture: $ARCH
Maintainer: ${BERTH_MAINTAINER:-Berth developers <berth@localhost>}
Installed-Size: $INSTALLED_KB
Depends: $DEPENDS
Recommends: fonts-dejavu-core | fonts-noto-core
Suggests: docker.io | docker-ce
Section: devel
Priority: optional
Description: desktop application for managing Docker
 Berth lists the Docker engine's containers and images, starts, stops and
 removes them, runs new containers, follows their logs, and pulls and pushes
 images with the registry credentials the docker command line uses.
EOF
DEB=$DIST/berth_${VERSION}_${ARCH}.deb
dpkg-deb --root-owner-group -Zxz --build "$DEBROOT" "$DEB" >/dev/null
say "wrote $DEB"

# ---------------------------------------------------------------- the tarball
TARDIR=$WORK/tar/berth-$VERSION
mkdir -p "$TARDIR"
cp -a "$BUNDLE/." "$TARDIR/"
cp -a "$SHARE" "$TARDIR/share"
TARBALL=$DIST/berth-$VERSION-linux-$ARCH.tar.gz
tar -C "$WORK/tar" --owner=0 --group=0 --numeric-owner -czf "$TARBALL" "berth-$VERSION"
say "wrote $TARBALL"

say "bundle $(du -sh "$BUNDLE" | cut -f1) unpacked; .deb $(du -h "$DEB" | cut -f1); tarball $(du -h "$TARBALL" | cut -f1)"
