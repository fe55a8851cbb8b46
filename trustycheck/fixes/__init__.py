"""Fixes: minimal text edits that resolve findings (`trustycheck fix`)."""
