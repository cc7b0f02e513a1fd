#!/usr/bin/env bash
# Idempotent setup: Debian packages, the project venv with the pinned torch wheel (LibTorch), CMake
# configure and build. A second run on a set-up machine only checks and rebuilds what changed.
#   scripts/setup.sh            # everything
#   RETRAIN_CUDA=OFF scripts/setup.sh   # skip the CUDA kernels even where nvcc exists
#   RETRAIN_NVCC=pip scripts/setup.sh   # no CUDA toolkit here: nvcc from PyPI into .venv (the Dockerfile)
set -euo pipefail
cd "$(dirname "$0")/.."

TORCH_VERSION=2.11.0
PY_PACKAGES=("torch==${TORCH_VERSION}" "numpy" "scipy" "matplotlib")
# CUDA 13.0, as torch's wheel: nvcc, its compiler parts and CCCL (thrust, which ATen's headers
# include), pinned together (an unpinned nvidia-nvvm resolves to a newer CUDA whose PTX this ptxas rejects).
NVCC_PACKAGES=("nvidia-cuda-nvcc==13.0.*" "nvidia-nvvm==13.0.*" "nvidia-cuda-crt==13.0.*" "nvidia-cuda-cccl==13.0.*")
APT_PACKAGES=(cmake ninja-build g++ ccache python3-venv libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev
              nlohmann-json3-dev libstb-dev zlib1g-dev libzip-dev libgtest-dev googletest dataset-fashion-mnist)
BUILD_DIR=${RETRAIN_BUILD_DIR:-build}
say() { printf '[setup] %s\n' "$*"; }

# 1. Debian packages.
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  say "Debian packages present"
fi

# 2. Python venv with torch (its LibTorch is what we link against).
if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  python3 -m venv .venv
fi
if ! ls -d .venv/lib/python3*/site-packages/torch-${TORCH_VERSION}*.dist-info >/dev/null 2>&1 ||
   ! ls -d .venv/lib/python3*/site-packages/scipy >/dev/null 2>&1 ||
   ! ls -d .venv/lib/python3*/site-packages/matplotlib >/dev/null 2>&1; then
  say "installing ${PY_PACKAGES[*]} into .venv (first time: several GB of wheels)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q "${PY_PACKAGES[@]}"
else
  say "torch ${TORCH_VERSION} present in .venv"
fi

# 2b. Optionally nvcc from PyPI: it installs beside the wheel's CUDA headers and runtime (nvidia/cu13),
# which then form the toolkit CMake is pointed at.
cuda_flags=()
if [ "${RETRAIN_NVCC:-}" = "pip" ]; then
  cu13=$(ls -d .venv/lib/python3*/site-packages/nvidia/cu13)
  if [ ! -x "$cu13/bin/nvcc" ]; then
    say "installing ${NVCC_PACKAGES[*]} into .venv"
    .venv/bin/python -m pip install -q "${NVCC_PACKAGES[@]}"
  fi
  for lib in cudart nvrtc; do  # CMake (FindCUDAToolkit, torch's config) looks for the unversioned names
    ln -sf "lib$lib.so.13" "$cu13/lib/lib$lib.so"
  done
  [ -e "$cu13/lib64" ] || ln -s lib "$cu13/lib64"  # nvcc.profile links from lib64 (cudart_static)
  # CUDA_TOOLKIT_ROOT_DIR: torch's Caffe2 config still uses CMake's old FindCUDA.
  cuda_flags=(-DCMAKE_CUDA_COMPILER="$PWD/$cu13/bin/nvcc" -DCUDAToolkit_ROOT="$PWD/$cu13"
              -DCUDA_TOOLKIT_ROOT_DIR="$PWD/$cu13")
fi

# 3. Configure (once) and build (incrementally).
if [ ! -f "${BUILD_DIR}/build.ninja" ]; then
  say "configuring ${BUILD_DIR}/ (RETRAIN_CUDA=${RETRAIN_CUDA:-AUTO}${RETRAIN_NVCC:+, nvcc from $RETRAIN_NVCC})"
  cmake -S . -B "${BUILD_DIR}" -G Ninja -DCMAKE_BUILD_TYPE=Release -DRETRAIN_CUDA="${RETRAIN_CUDA:-AUTO}" \
        "${cuda_flags[@]}" >/dev/null
fi
say "building (${BUILD_DIR}/retrain and the tests)"
cmake --build "${BUILD_DIR}" -j "$(nproc)" | grep -vE '^\[[0-9]+/[0-9]+\] ' || true
test -x "${BUILD_DIR}/retrain" || { echo "[setup] build failed: ${BUILD_DIR}/retrain is missing" >&2; exit 1; }
say "ready: ${BUILD_DIR}/retrain"
