-- Comment settings for `gc`, `gq` and comment continuation.
vim.bo.commentstring = "// %s"
vim.bo.comments = "s1:/*,mb:*,ex:*/,:///,://"
