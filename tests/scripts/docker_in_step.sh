#!/usr/bin/env bash
# Keeps the Dockerfile in step with the build: its build stage runs scripts/setup.sh with nvcc from
# PyPI, pinned to the CUDA version of setup.sh's torch wheel; its runtime stage installs the Debian
# package of every shared library build/libexec/retrain loads outside the torch wheel, CUDA and glibc,
# and copies both executables.
#   tests/scripts/docker_in_step.sh SOURCE_DIR PROGRAM PYTHON
set -euo pipefail
src=${1:?usage: $0 SOURCE_DIR PROGRAM PYTHON} program=${2:?} python=${3:?}
dockerfile="$src/Dockerfile"
fail() { echo "docker_in_step: $*" >&2; exit 1; }

build_stage=$(awk '/^FROM .* AS build/{on=1} /^FROM .* AS runtime/{on=0} on' "$dockerfile")
runtime_stage=$(awk '/^FROM .* AS runtime/{on=1} on' "$dockerfile")
grep -q 'RETRAIN_NVCC=pip bash scripts/setup.sh' <<< "$build_stage" || fail "the build stage does not run RETRAIN_NVCC=pip scripts/setup.sh"

cuda=$("$python" -c 'import torch; print(torch.version.cuda or "")')
[ -n "$cuda" ] || fail "the venv's torch has no CUDA version"
grep -q "\"nvidia-cuda-nvcc==${cuda}\.\*\"" "$src/scripts/setup.sh" ||
  fail "scripts/setup.sh does not pin nvidia-cuda-nvcc==${cuda}.* (the torch wheel's CUDA $cuda)"

install_line=$(tr '\n' ' ' <<< "$runtime_stage" | sed 's/\\ */ /g' | grep -o 'apt-get install [^&]*')
# The libraries the program names itself (NEEDED; apt brings their own dependencies), where ldd finds them.
needed=$(readelf -d "$program" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
missing=()
while read -r lib; do
  package=$(dpkg -S "*/$(basename "$(dirname "$lib")")/$(basename "$lib")" 2> /dev/null | head -1 | cut -d: -f1) || true
  [ -n "$package" ] || fail "no Debian package owns $lib (a library the Dockerfile cannot install)"
  grep -qw -- "$package" <<< "$install_line" || missing+=("$package ($lib)")
done < <(ldd "$program" | awk 'NR == FNR {want[$1]; next} $2 == "=>" && $3 ~ /^\// && ($1 in want) {print $3}' \
           <(tr ' ' '\n' <<< "$needed") - |
         grep -vE 'site-packages|/cuda|/(ld-linux|libc|libm|libmvec|libpthread|libdl|librt|libgcc_s)[-.]' |
         xargs -r readlink -f | sort -u)
[ ${#missing[@]} -eq 0 ] || fail "the runtime stage's apt-get install lacks: ${missing[*]}"
for path in build/retrain build/libexec; do
  grep -q "COPY --from=build /opt/retrain/$path " <<< "$runtime_stage" || fail "the runtime stage does not copy $path"
done
echo "docker_in_step: the Dockerfile matches setup.sh (CUDA $cuda) and the libraries of $(basename "$program")"
