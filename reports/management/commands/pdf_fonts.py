"""Convert the PDFs' Chinese fonts (Debian's fonts-noto-cjk) into TrueType outlines, once.

manage.py pdf_fonts            # the faces not there yet
manage.py pdf_fonts --force    # all of them again
"""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from reports.fonts import ensure_fonts


class Command(BaseCommand):
    help = "Convert the Song and Hei faces of the PDFs from fonts-noto-cjk (reports.fonts)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="convert again")

    def handle(self, *args, force=False, **options):
        try:
            paths = ensure_fonts(force=force, log=lambda line: self.stdout.write(line))
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        for path in paths:
            self.stdout.write(f"{path} ({path.stat().st_size // 1024} KiB)")
