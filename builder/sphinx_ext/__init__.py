"""The Sphinx side of the builder."""
