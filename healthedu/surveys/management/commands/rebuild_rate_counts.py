"""Check the kept counts (surveys.counts) against the raw responses, report each difference, and
rebuild them. Expected: no difference (the writes keep them); --check-only leaves them as they are
and exits 1 when one differs."""

from django.core.management.base import BaseCommand, CommandError

from healthedu.surveys import counts


class Command(BaseCommand):
    help = "Compare the kept rate counts with the raw responses, report differences, rebuild."

    def add_arguments(self, parser):
        parser.add_argument("--check-only", action="store_true", help="report, do not rebuild")

    def handle(self, *args, check_only=False, **options):
        differences = counts.differences()
        for line in differences[:100]:
            self.stdout.write(line)
        self.stdout.write(f"differences: {len(differences)}")
        if check_only:
            if differences:
                raise CommandError(f"{len(differences)} kept counts differ from the raw rows")
            return
        counts.rebuild()
        self.stdout.write("rebuilt")
