"""Build hook: the wheel carries compiled translation catalogues (.mo), so that an installed
product is Chinese by default without gettext or the source tree. Everything else is in
pyproject.toml."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithCatalogues(build_py):
    def run(self):
        super().run()
        import polib  # a build requirement (pyproject.toml [build-system])

        for po in Path(self.build_lib).rglob("LC_MESSAGES/*.po"):
            polib.pofile(str(po)).save_as_mofile(str(po.with_suffix(".mo")))


setup(cmdclass={"build_py": BuildPyWithCatalogues})
