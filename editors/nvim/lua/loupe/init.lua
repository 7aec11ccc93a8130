-- Starts `loupe lsp` for Loupe buffers, one client per pack (the directory of the nearest `loupe.toml`).
-- Works on Neovim 0.7 (Debian's), which has no `vim.lsp.start`: there the client is started and reused by hand.
local M = {}

M.config = {
  cmd = { "loupe", "lsp" },
  filetypes = { "loupe" },
  root_markers = { "loupe.toml" },
}

-- The directory of the nearest root marker above `path`, or the file's own directory.
function M.root_dir(path)
  local dir = vim.fn.fnamemodify(path, ":p:h")
  for _, marker in ipairs(M.config.root_markers) do
    local found = vim.fn.findfile(marker, vim.fn.fnameescape(dir) .. ";")
    if found ~= "" then
      return vim.fn.fnamemodify(found, ":p:h")
    end
  end
  return dir
end

-- Client ids by root directory, for Neovim versions without `vim.lsp.start`.
local clients_by_root = {}

function M.start(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local path = vim.api.nvim_buf_get_name(bufnr)
  if path == "" then
    return nil
  end
  local root = M.root_dir(path)
  local client_config = {
    name = "loupe",
    cmd = M.config.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    capabilities = M.config.capabilities,
    on_attach = M.config.on_attach,
  }
  if vim.lsp.start then
    return vim.lsp.start(client_config, { bufnr = bufnr })
  end
  local id = clients_by_root[root]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(client_config)
    clients_by_root[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

-- Neovim 0.7 reads `vim.filetype.add` only with `g:do_filetype_lua` set, so there an autocommand does it.
function M.detect_filetype()
  if vim.fn.has("nvim-0.8") == 1 then
    vim.filetype.add({ extension = { lens = "loupe" } })
  else
    vim.cmd("autocmd! BufRead,BufNewFile *.lens setfiletype loupe")
  end
end

-- `opts` may override `cmd` (e.g. `{ "/path/to/loupe", "lsp" }`), `capabilities` and `on_attach`.
function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", M.config, opts or {})
  M.detect_filetype()
  local group = vim.api.nvim_create_augroup("loupe_lsp", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = M.config.filetypes,
    callback = function(args)
      M.start(args.buf)
    end,
  })
end

return M
