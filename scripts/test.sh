#!/usr/bin/env bash
# Sets up if needed, then runs the whole test suite with ctest (GPU tests skip without a GPU).
# Extra arguments go to ctest, e.g. scripts/test.sh -R Config.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Test-only Debian packages (not in setup.sh, so not in the container image): a private Slurm for
# DistributedRun.SrunOnAPrivateSlurm, headless Chromium for ReportBrowser.* (the report page in a
# browser). Without them (no root, no registry) those tests skip.
TEST_PACKAGES=(slurm-wlm munge chromium)
missing=()
for p in "${TEST_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" -eq 0 ]; then
  echo "[test] installing test packages: ${missing[*]}"
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; } \
    > /tmp/retrain_test_packages.log 2>&1 ||
    echo "[test] could not install ${missing[*]} (see /tmp/retrain_test_packages.log): the tests that need them will skip"
fi
cd "${RETRAIN_BUILD_DIR:-build}"
exec ctest -j "$(nproc)" --output-on-failure --timeout 600 "$@"
