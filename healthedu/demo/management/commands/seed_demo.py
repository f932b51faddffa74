from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from healthedu.org.models import Community, District, Role, Street
from healthedu.org.services import user_add
from residents.demo import seed_residents
from residents.models import Resident

COMMUNITIES = [("TH01", "天虹路社区"), ("CH02", "春晖社区"), ("WH03", "文化巷社区")]
USERS = [  # username, role, communities, streets, the name shown (surname, given name)
    ("admin", "admin", [], [], ("周", "志强")),
    ("leader", "leader", [], ["天虹街道"], ("郑", "丽华")),
    ("edu_th", "educator", ["TH01"], [], ("李", "秀英")),
    ("edu_ch", "educator", ["CH02"], [], ("王", "建国")),
    ("edu_wh", "educator", ["WH03"], [], ("陈", "晓燕")),
]
PASSWORD = "demo-pass-2026"


class Command(BaseCommand):
    help = (
        "Load a believable demo: a street of three communities, ~600 residents, a year of the plan."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when residents exist already"
        )
        parser.add_argument("--residents", type=int, default=200, help="residents per community")

    def handle(self, *args, **options):
        if options["if_empty"] and Resident.objects.exists():
            self.stdout.write("demo data present; nothing to do")
            return
        today = timezone.localdate()
        with transaction.atomic():
            communities = self._organisation()
            self._users()
            seed_residents(communities, per_community=options["residents"], today=today)
            for step in self._later_steps():
                step(communities=communities, today=today, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"demo loaded: {Resident.objects.count()} residents"))
        self.stdout.write("logins (password %s): %s" % (PASSWORD, ", ".join(u[0] for u in USERS)))

    def _organisation(self):
        district, _ = District.objects.get_or_create(name="东湖区")
        street, _ = Street.objects.get_or_create(district=district, name="天虹街道")
        return [
            Community.objects.update_or_create(
                code=code, defaults={"name": name, "street": street}
            )[0]
            for code, name in COMMUNITIES
        ]

    def _users(self):
        for username, role, codes, streets, (surname, given) in USERS:
            user = user_add(
                username=username,
                password=PASSWORD,
                role=Role(role),
                community_codes=codes,
                street_names=streets,
            )
            # Chinese order, surname first: get_full_name() reads "first last".
            user.first_name, user.last_name = surname, given
            user.save(update_fields=["first_name", "last_name"])

    def _later_steps(self):
        """Demo data of the other apps: activities, readings, surveys (each app's demo.seed)."""
        from healthedu.activities.demo import seed_activities
        from healthedu.screening.demo import seed_desk_screening, seed_readings
        from healthedu.surveys.demo import seed_surveys
        from reports.demo import seed_ledgers

        # seed_readings measures at the demo's bp_screening activities: keep it after theirs.
        # seed_ledgers last: last month's ledgers, made from everything above.
        # seed_desk_screening after seed_readings: today's screening is left for the desk.
        return [seed_activities, seed_readings, seed_desk_screening, seed_surveys, seed_ledgers]
