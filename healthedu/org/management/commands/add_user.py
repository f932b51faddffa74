from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from healthedu.org.models import Role
from healthedu.org.services import reach_error, user_add


class Command(BaseCommand):
    help = "Create or update a user with a role and a reach (communities, a street, a district)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--community", action="append", default=[], metavar="CODE")
        parser.add_argument("--street", action="append", default=[], metavar="NAME")
        parser.add_argument("--district", action="append", default=[], metavar="NAME")
        parser.add_argument(
            "--skip-password-check", action="store_true", help="allow a weak password (demo data)"
        )

    def handle(self, *args, **options):
        if not options["skip_password_check"]:
            try:
                validate_password(options["password"])
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
        problem = reach_error(
            role=options["role"],
            communities=options["community"],
            streets=options["street"],
            districts=options["district"],
        )
        if problem:
            raise CommandError(problem)
        try:
            user = user_add(
                username=options["username"],
                password=options["password"],
                role=options["role"],
                community_codes=options["community"],
                street_names=options["street"],
                district_names=options["district"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"user {user.username} ({user.role}) saved"))
