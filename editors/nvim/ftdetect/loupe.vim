" `.lens` files are Loupe policy sources (a Vim script ftdetect: Neovim 0.7 sources no Lua ones).
autocmd BufRead,BufNewFile *.lens setfiletype loupe
