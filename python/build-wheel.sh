#!/usr/bin/env bash
# Builds the blindmatch wheel into $CARGO_TARGET_DIR/wheels (default target/wheels): one abi3
# wheel (CPython 3.9+) with the `blindmatch` command and the `blindmatch` Python module.
#
# maturin puts one cargo artifact in a wheel (PyO3/maturin#368), so this takes two steps:
#   1. the command, built by cargo for the same platform as the wheel, staged as wheel data
#      (target/wheel-data/scripts/blindmatch: pip installs it on PATH, as is, executable);
#   2. maturin builds the module (cargo feature `python`) and packs both.
# Default: release, manylinux2014 (glibc 2.17) through zig, offline once these are installed:
#   pip install maturin ziglang cargo-zigbuild
# `python/build-wheel.sh --dev`: a quick debug wheel for this machine only (no zig).
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir="${CARGO_TARGET_DIR:-target}"
data=target/wheel-data/scripts
rm -rf "$data" && mkdir -p "$data"
rm -f "$target_dir"/wheels/blindmatch-*.whl

if [ "${1:-}" = "--dev" ]; then
  cargo build --locked --bin blindmatch
  cp "$target_dir/debug/blindmatch" "$data/"
  maturin build --locked -o "$target_dir/wheels"
else
  triple=x86_64-unknown-linux-gnu
  # Its own target directory: cargo-zigbuild and maturin set up zig differently, and in one
  # directory each would rebuild everything the other built.
  command_dir="$target_dir/wheel-command"
  CARGO_TARGET_DIR="$command_dir" cargo zigbuild --locked --release --bin blindmatch \
    --target "$triple.2.17"
  cp "$command_dir/$triple/release/blindmatch" "$data/"
  maturin build --locked --release --zig --compatibility manylinux2014 --target "$triple" \
    -o "$target_dir/wheels"
fi
ls -l "$target_dir"/wheels/blindmatch-*.whl
