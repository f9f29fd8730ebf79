"""Test support shared by every app's tests (factories, personas, worlds, file writers, the tax library)."""
