"""The build compiles the translation catalogues (.po → .mo) into the package, so that an
installed healthedu speaks Chinese with no compilemessages step (which cannot find catalogues
inside site-packages). The project-level catalogue (locale/) ships as healthedu/locale/, which
settings.LOCALE_PATHS names. Everything else is in pyproject.toml."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
CATALOGUE_TREES = ("healthedu", "residents", "reports", "locale")


class BuildWithCatalogues(build_py):
    def run(self):
        super().run()
        import polib

        for tree in CATALOGUE_TREES:
            pattern = (
                "*/LC_MESSAGES/django.po" if tree == "locale" else "locale/*/LC_MESSAGES/django.po"
            )
            for po in (ROOT / tree).rglob(pattern):
                relative = po.relative_to(ROOT).with_suffix(".mo")
                if tree == "locale":
                    relative = Path("healthedu") / relative
                target = Path(self.build_lib) / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                polib.pofile(str(po)).save_as_mofile(str(target))


setup(cmdclass={"build_py": BuildWithCatalogues})
