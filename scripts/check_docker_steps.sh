#!/usr/bin/env bash
# Runs the Dockerfile's build stage on a clean Debian bookworm without Docker: debootstraps bookworm
# into DIR, copies the tracked files of this checkout to DIR/opt/retrain, runs the build stage's RUN
# steps (read from the Dockerfile, so they cannot drift) in a chroot, then `build/retrain info` and a
# short CPU training run there. Prints the time of each step. Needs root, network access to Debian and
# PyPI, about 15 GB, and on 2 cores about an hour (a cold build); not part of CI.
#   sudo scripts/check_docker_steps.sh [DIR]        # DIR defaults to a new temporary directory
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "check_docker_steps: needs root (debootstrap, chroot)" >&2; exit 2; }
root=${1:-$(mktemp -d -t retrain_bookworm.XXXXXX)}
command -v debootstrap > /dev/null || { apt-get update -q && apt-get install -y -q debootstrap; }
stamp() { date +%s; }
elapsed() { echo "$(( $(stamp) - $1 )) s"; }

t=$(stamp)
[ -x "$root/bin/bash" ] || debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian > "$root.debootstrap.log"
echo "check_docker_steps: debootstrap bookworm into $root: $(elapsed "$t")"
for fs in proc sys dev; do mountpoint -q "$root/$fs" || mount --bind "/$fs" "$root/$fs"; done
trap 'for fs in dev sys proc; do umount "$root/$fs" 2> /dev/null || true; done' EXIT
cp /etc/resolv.conf "$root/etc/resolv.conf"
# The host's pip settings go along (a site's index, proxy or TLS-inspecting CA): PIP_* variables, and
# the file PIP_CERT names, copied into the chroot.
pip_env=()
while IFS='=' read -r name value; do
  if [ "$name" = PIP_CERT ] && [ -f "$value" ]; then
    mkdir -p "$root/etc/ssl/host" && cp "$value" "$root/etc/ssl/host/pip-ca.crt"
    value=/etc/ssl/host/pip-ca.crt
  fi
  [ "$name" = PIP_FIND_LINKS ] && continue  # a host directory
  pip_env+=("$name=$value")
done < <(env | grep '^PIP_' || true)
mkdir -p "$root/opt/retrain"
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$root/opt/retrain"

# The build stage's RUN lines, continuation lines joined, with its ENV.
steps=$(awk '/^FROM .* AS build/{on=1; next} /^FROM /{on=0} on' Dockerfile | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' |
        sed -n 's/^RUN //p')
while IFS= read -r step; do
  t=$(stamp)
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    DEBIAN_FRONTEND=noninteractive "${pip_env[@]}" /bin/bash -c "cd /opt/retrain && $step"
  echo "check_docker_steps: RUN ${step:0:80}...: $(elapsed "$t")"
done <<< "$steps"

t=$(stamp)
chroot "$root" /bin/bash -c "cd /opt/retrain && build/retrain info && build/retrain train --config configs/toy_8gaussians_edm.yaml \
  --device cpu --set gen0.kimg=5 --set eval.num_samples=200 --out /tmp/check -q"
echo "check_docker_steps: build/retrain info and a toy training run in the chroot: $(elapsed "$t")"
