#!/usr/bin/env bash
# Berth's test bed: a real Docker engine, a password-protected registry on
# 127.0.0.1 and fixture images made from busybox-static (no internet registry
# is needed). Idempotent: a second run only checks that everything answers.
#
#   bash scripts/testbed.sh          install what is missing and start it all
#   bash scripts/testbed.sh --env    print the settings tests read (as shell)
#
# Debian, as root. Settings can be overridden through the environment.
set -euo pipefail

STATE=${BERTH_TESTBED_DIR:-/var/lib/berth-testbed}
REGISTRY_ADDR=${BERTH_REGISTRY:-127.0.0.1:5000}
REGISTRY_USER=${BERTH_REGISTRY_USER:-berth}
REGISTRY_PASSWORD=${BERTH_REGISTRY_PASSWORD:-berth-test-password}
FIXTURE_VERSION=3

if [ "${1:-}" = "--env" ]; then
    printf 'export BERTH_REGISTRY=%q BERTH_REGISTRY_USER=%q BERTH_REGISTRY_PASSWORD=%q\n' \
        "$REGISTRY_ADDR" "$REGISTRY_USER" "$REGISTRY_PASSWORD"
    exit 0
fi

say() { printf 'testbed: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (it installs packages and starts dockerd)"

# ---------------------------------------------------------------- packages
need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v docker >/dev/null || need+=(docker.io)
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)   # the image has no libc
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v htpasswd >/dev/null || need+=(apache2-utils)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
    say "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q "${need[@]}" >/dev/null
fi
mkdir -p "$STATE"

# ---------------------------------------------------------------- engine
engine_up() { timeout 5 docker version >/dev/null 2>&1; }
if ! engine_up; then
    if [ -n "${DOCKER_HOST:-}" ] && [ "${DOCKER_HOST}" != "unix:///var/run/docker.sock" ]; then
        die "DOCKER_HOST=$DOCKER_HOST does not answer; not starting a local engine in its place"
    fi
    say "starting dockerd"
    # A dockerd that was killed leaves its pid file (and containerd's) behind.
    if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
        rm -f /var/run/docker.pid
    fi
    rm -f /var/run/docker/containerd/containerd.pid 2>/dev/null || true
    setsid dockerd --host unix:///var/run/docker.sock --ip 127.0.0.1 \
        >>"$STATE/dockerd.log" 2>&1 </dev/null &
    for _ in $(seq 1 120); do engine_up && break; sleep 0.5; done
    engine_up || { tail -20 "$STATE/dockerd.log" >&2; die "dockerd did not come up"; }
fi

# ---------------------------------------------------------------- registry
registry_up() { curl -s -o /dev/null -w '%{http_code}' "http://$REGISTRY_ADDR/v2/" 2>/dev/null | grep -q 401; }
if ! registry_up; then
    say "starting the registry on $REGISTRY_ADDR"
    mkdir -p "$STATE/registry"
    htpasswd -Bbn "$REGISTRY_USER" "$REGISTRY_PASSWORD" >"$STATE/htpasswd"
    cat >"$STATE/registry.yml" <<YML
version: 0.1
log: {level: warn}
storage: {filesystem: {rootdirectory: $STATE/registry}, delete: {enabled: true}}
http: {addr: $REGISTRY_ADDR}
auth: {htpasswd: {realm: berth-testbed, path: $STATE/htpasswd}}
YML
    setsid docker-registry serve "$STATE/registry.yml" >>"$STATE/registry.log" 2>&1 </dev/null &
    for _ in $(seq 1 60); do registry_up && break; sleep 0.25; done
    registry_up || { tail -20 "$STATE/registry.log" >&2; die "the registry did not come up"; }
fi

# ---------------------------------------------------------------- fixture images
# docker/whalesay:latest  - `cowsay WORDS` prints WORDS in a speech bubble
# httpd:latest            - busybox httpd serving /usr/local/apache2/htdocs on :80
# Both are also pushed to the registry, so that login and pull are real.
fixture_ok() {
    [ "$(docker image inspect -f '{{index .Config.Labels "berth.fixture"}}' "$1" 2>/dev/null)" = "$FIXTURE_VERSION" ]
}
build_rootfs() {
    local root=$1
    mkdir -p "$root"/{bin,tmp,etc,root,usr/local/apache2/htdocs,var/www}
    cp /bin/busybox "$root/bin/busybox"
    for applet in $(/bin/busybox --list); do
        [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
    done
    chmod 1777 "$root/tmp"
    echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
    echo 'root:x:0:' >"$root/etc/group"
    cat >"$root/bin/cowsay" <<'COW'
#!/bin/sh
# cowsay: the words in a speech bubble, with a whale under it.
text="$*"
[ -n "$text" ] || text="$(cat)"
n=${#text}
line=$(printf '%*s' $((n + 2)) '' | tr ' ' '-')
under=$(printf '%*s' $((n + 2)) '' | tr ' ' '_')
echo " $under"
echo "< $text >"
echo " $line"
cat <<'WHALE'
    \
     \
      \
                    ##        .
              ## ## ##       ==
           ## ## ## ##      ===
       /""""""""""""""""___/ ===
  ~~~ {~~ ~~~~ ~~~ ~~~~ ~~ ~ /  ===- ~~~
       \______ o          __/
        \    \        __/
          \____\______/
WHALE
COW
    chmod 755 "$root/bin/cowsay"
    printf '<html><body><h1>It works!</h1></body></html>\n' >"$root/usr/local/apache2/htdocs/index.html"
}
if ! fixture_ok docker/whalesay:latest || ! fixture_ok httpd:latest; then
    say "making fixture images from busybox-static"
    root=$(mktemp -d)
    trap 'rm -rf "$root"' EXIT
    build_rootfs "$root"
    tar -C "$root" -c . | docker import \
        --change "LABEL berth.fixture=$FIXTURE_VERSION" \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'CMD ["/bin/sh"]' \
        - docker/whalesay:latest >/dev/null
    tar -C "$root" -c . | docker import \
        --change "LABEL berth.fixture=$FIXTURE_VERSION" \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'WORKDIR /usr/local/apache2' \
        --change 'EXPOSE 80' \
        --change 'CMD ["httpd", "-f", "-v", "-p", "80", "-h", "/usr/local/apache2/htdocs"]' \
        - httpd:latest >/dev/null
fi

# Push with a private client config so the user's ~/.docker is left alone.
pushed_ok() {
    curl -s -o /dev/null -w '%{http_code}' -u "$REGISTRY_USER:$REGISTRY_PASSWORD" \
        -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
        "http://$REGISTRY_ADDR/v2/$1/manifests/latest" | grep -q 200 &&
    [ "$(cat "$STATE/pushed-$(echo "$1" | tr / _)" 2>/dev/null)" = "$(docker image inspect -f '{{.Id}}' "$1:latest")" ]
}
for repo in docker/whalesay httpd; do
    if ! pushed_ok "$repo"; then
        say "pushing $repo to $REGISTRY_ADDR"
        cfg="$STATE/push-config"; mkdir -p "$cfg"; echo '{}' >"$cfg/config.json"
        echo "$REGISTRY_PASSWORD" | DOCKER_CONFIG=$cfg docker login -u "$REGISTRY_USER" --password-stdin "$REGISTRY_ADDR" >/dev/null 2>&1
        docker tag "$repo:latest" "$REGISTRY_ADDR/$repo:latest"
        DOCKER_CONFIG=$cfg docker push -q "$REGISTRY_ADDR/$repo:latest" >/dev/null
        docker rmi "$REGISTRY_ADDR/$repo:latest" >/dev/null
        rm -rf "$cfg"
        docker image inspect -f '{{.Id}}' "$repo:latest" >"$STATE/pushed-$(echo "$repo" | tr / _)"
    fi
done
say "ready: engine $(docker version -f '{{.Server.Version}}'), registry $REGISTRY_ADDR (user $REGISTRY_USER)"
