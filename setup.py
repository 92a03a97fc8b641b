"""For `scrapyd-deploy`, which builds an egg with `setup.py bdist_egg`: the project is described in
pyproject.toml (its packages and the portal profiles as package data). What that build writes (the
build tree, the egg-info) goes to a temporary directory, so a deploy leaves nothing in the checkout."""

import sys
import tempfile

from setuptools import setup

options = {}
if any(command in sys.argv for command in ("bdist_egg", "bdist_uberegg", "clean")):
    scratch = tempfile.mkdtemp(prefix="vnarchive-egg-")
    options = {"build": {"build_base": f"{scratch}/build"}, "egg_info": {"egg_base": scratch},
               "bdist_egg": {"bdist_dir": f"{scratch}/bdist"}}
setup(options=options)
