#!/usr/bin/env bash
# Installs OpenBLAS and LAPACKE (Debian: libopenblas-dev liblapacke-dev) when they are missing,
# with apt-get, through sudo when not root. Prints nothing when they are already there.
set -euo pipefail
if pkg-config --exists openblas 2>/dev/null && [[ -f /usr/include/lapacke.h ]]; then
  exit 0
fi
echo "installing OpenBLAS and LAPACKE (libopenblas-dev liblapacke-dev pkg-config)…" >&2
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq libopenblas-dev liblapacke-dev pkg-config >/dev/null
