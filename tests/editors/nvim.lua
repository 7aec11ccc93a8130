-- A real editor against `loupe lsp`: Neovim's built-in LSP client opens a file of the GenAI pack, breaks it, and
-- waits for the diagnostic; then asks for hover and definition. Run by `run-nvim.sh` (which `.ci/run` calls); exits
-- non-zero with a message on the first expectation that fails.
local loupe_bin = assert(os.getenv("LOUPE_BIN"), "LOUPE_BIN names the loupe binary")
local pack = assert(os.getenv("PACK_DIR"), "PACK_DIR names a copy of policies/genai")

local function fail(message)
  io.stderr:write("nvim test: " .. message .. "\n")
  vim.cmd("cquit 1")
end

local function expect(condition, message)
  if not condition then
    fail(message)
  end
end

require("loupe").setup({ cmd = { loupe_bin, "lsp" } })
vim.cmd("edit " .. vim.fn.fnameescape(pack .. "/cost-optimization.lens"))
local buf = vim.api.nvim_get_current_buf()
expect(vim.bo[buf].filetype == "loupe", "a .lens file has the loupe filetype, not " .. vim.bo[buf].filetype)

local function initialized()
  for _, client in pairs(vim.lsp.buf_get_clients(buf)) do
    if client.server_capabilities and next(client.server_capabilities) then
      return true
    end
  end
  return false
end
expect(vim.wait(20000, initialized, 50), "the server starts and initializes")

local function errors()
  return vim.diagnostic.get(buf, { severity = vim.diagnostic.severity.ERROR })
end

-- The shipped pack is clean: give the server time to publish, then expect no error.
vim.wait(1500, function() return false end, 50)
expect(#errors() == 0, "the shipped file has no error diagnostics")

-- Break it: misspell a quantifier.
local line = vim.fn.search([[\<every prompt in\>]], "w")
expect(line > 0, "the file has an `every prompt in` line")
local text = vim.api.nvim_buf_get_lines(buf, line - 1, line, true)[1]
vim.api.nvim_buf_set_lines(buf, line - 1, line, true, { (text:gsub("every prompt", "evrey prompt", 1)) })
expect(vim.wait(20000, function() return #errors() > 0 end, 50), "a diagnostic arrives after the edit")
local diagnostic = errors()[1]
expect(diagnostic.lnum == line - 1, "the diagnostic is on the edited line " .. line .. ", not " .. (diagnostic.lnum + 1))
expect(diagnostic.message:find("evrey", 1, true) ~= nil, "the message names the misspelled word: " .. diagnostic.message)

-- Fix it again: the error goes.
vim.api.nvim_buf_set_lines(buf, line - 1, line, true, { text })
expect(vim.wait(20000, function() return #errors() == 0 end, 50), "the diagnostic clears after the fix")

local function request(method, row, col)
  vim.api.nvim_win_set_cursor(0, { row, col })
  local params = vim.lsp.util.make_position_params()
  local responses = vim.lsp.buf_request_sync(buf, method, params, 10000) or {}
  for _, response in pairs(responses) do
    if response.result then
      return response.result
    end
  end
  return nil
end

-- Hover on the question's id shows its title.
local question = vim.fn.search([[question GENCOST01]], "w")
expect(question > 0, "the file defines GENCOST01")
local hover = request("textDocument/hover", question, #"  question G")
expect(hover ~= nil, "hover answers on a question id")
local contents = hover.contents.value or vim.inspect(hover.contents)
expect(contents:find("How do you select the appropriate model", 1, true) ~= nil, "hover shows the title: " .. contents)

-- Definition of a predicate call goes to predicates.lens.
local call = vim.fn.search([[is_sagemaker_scaling_target(]], "w")
expect(call > 0, "the file calls is_sagemaker_scaling_target")
local col = vim.fn.col(".") - 1
local definition = request("textDocument/definition", call, col + 2)
expect(definition ~= nil, "definition answers on a predicate call")
local location = definition[1] or definition
local uri = location.uri or location.targetUri
expect(uri ~= nil and uri:find("predicates.lens", 1, true) ~= nil, "definition is in predicates.lens: " .. vim.inspect(definition))

print("nvim test: diagnostics, hover and definition work")
vim.cmd("qall!")
