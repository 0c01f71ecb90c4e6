"""Printable output: worksheet PDFs (A4, Letter, large print), packs, session packets, whole manuals."""
