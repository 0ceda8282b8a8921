# sandboxd links -static: the sysroot needs libinih.a besides the .so
EXTRA_OEMESON += "-Ddefault_library=both"
