"""Reporters: format findings; they compute nothing about workflows."""
