"""make_ledgers --month YYYY-MM [--community CODE] [--format pdf|xlsx]: what the 1st of the month
does on its own, by hand and in this process, with a progress bar. Each ledger is kept as a
finished job, so that its file downloads like a scheduled one; the paths and job ids are printed."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from healthedu.months import parse_month
from healthedu.org.models import Community
from reports.services import ledger_run_now

BAR = 30


class Command(BaseCommand):
    help = "Make the monthly ledgers of one or all communities now."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--community", action="append", help="community code (repeatable)")
        parser.add_argument("--format", choices=["pdf", "xlsx"], default="pdf")

    def handle(self, *args, month, community, format, **options):
        try:
            month = parse_month(month)
        except ValidationError:
            raise CommandError("Give --month as YYYY-MM, e.g. 2026-10.") from None
        communities = Community.objects.select_related("street__district").order_by("code")
        if community:
            communities = communities.filter(code__in=community)
            missing = set(community) - {c.code for c in communities}
            if missing:
                raise CommandError(f"Unknown community code(s): {', '.join(sorted(missing))}")
        communities = list(communities)
        total = len(communities)
        failed = []
        with translation.override("zh-hans"):
            for index, item in enumerate(communities):

                def progress(fraction, index=index, code=item.code):
                    self._bar((index + fraction) / max(1, total), code)

                try:
                    job = ledger_run_now(community=item, month=month, fmt=format, progress=progress)
                except Exception as exc:  # one community's failure does not stop the others
                    failed.append(item.code)
                    self.stdout.write("")
                    self.stderr.write(f"{item.code} {month:%Y-%m} failed: {exc!r}")
                    continue
                self._bar((index + 1) / total, item.code)
                self.stdout.write("")
                self.stdout.write(f"{item.code} {month:%Y-%m} job {job.pk} {job.file.path}")
        if failed:
            raise CommandError(f"Ledgers failed for: {', '.join(failed)}")
        self.stdout.write(self.style.SUCCESS(f"{total} ledger(s) made."))

    def _bar(self, fraction: float, label: str) -> None:
        filled = int(BAR * fraction)
        self.stdout.write(
            f"\r[{'#' * filled}{'.' * (BAR - filled)}] {fraction * 100:5.1f}% {label}", ending=""
        )
        self.stdout.flush()
