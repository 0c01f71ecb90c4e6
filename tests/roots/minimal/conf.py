extensions = ["builder"]
project = "Fixture manuals"
html_theme = "furo"
nitpicky = True
myst_enable_extensions = ["colon_fence", "deflist", "tasklist", "fieldlist"]
ipt_clinic_name = "Fixture Clinic"
ipt_crisis_contacts = [{"name": "Fixture crisis line", "phone": "0000 000000", "notes": "fixture only"}]
