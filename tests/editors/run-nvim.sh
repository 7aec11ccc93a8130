#!/usr/bin/env bash
# Runs tests/editors/nvim.lua: Neovim (headless, its built-in LSP client, the `editors/nvim` setup) against
# `loupe lsp`, on a scratch copy of the GenAI pack. Usage: run-nvim.sh PATH/TO/loupe
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export LOUPE_BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cp -r "$root/policies/genai" "$scratch/genai"
export PACK_DIR="$scratch/genai"
timeout 120 nvim --headless --clean -u NONE \
  --cmd "set runtimepath^=$root/editors/nvim" \
  -c "lua local ok, err = pcall(dofile, '$here/nvim.lua') if not ok then io.stderr:write(tostring(err), '\\n') vim.cmd('cquit 1') end"
