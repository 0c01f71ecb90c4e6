extensions = ["builder"]
project = "Fixture manuals"
html_theme = "basic"
nitpicky = True
myst_enable_extensions = ["colon_fence", "deflist", "tasklist", "fieldlist"]
