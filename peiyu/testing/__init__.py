"""Test support in one place: factories and personas (:mod:`.factories`), the scope walk over every
page and endpoint (:mod:`.walk`), and helpers that write tax months into a test library.

Apps keep their own test factories in ``peiyu/<app>/tests/`` and plant their objects for the scope
walk in ``peiyu/<app>/tests/world.py`` (``populate_world(world)``), found through
:mod:`peiyu.core.contrib`. Nothing here is imported by production code.
"""
