import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from healthedu.ops.checks import ERROR, OK, overall, run_checks


class Command(BaseCommand):
    help = (
        "Check everything the product needs (database, broker, worker, media store, fonts, "
        "translations, schedule) and say how to fix what is wrong. Exits 1 on any error."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the checks as JSON")
        parser.add_argument(
            "--worker-timeout", type=float, default=10.0, help="seconds to wait for a worker"
        )

    def handle(self, *args, **options):
        checks = run_checks(worker_timeout=options["worker_timeout"])
        status = overall(checks)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {"status": status, "checks": [c.as_dict() for c in checks]}, ensure_ascii=False
                )
            )
        else:
            marks = {OK: "✓", ERROR: "✗"}
            for check in checks:
                style = {OK: self.style.SUCCESS, ERROR: self.style.ERROR}.get(
                    check.status, self.style.WARNING
                )
                self.stdout.write(
                    style(f"{marks.get(check.status, '!')} {check.name}: {check.detail}")
                )
                if check.fix:
                    self.stdout.write(f"    → {check.fix}")
        if status == ERROR:
            raise CommandError(_("Some checks failed; see above."))
