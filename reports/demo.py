"""Demo data of the reports app: last month's ledgers, as the 1st of the month would have made them."""

from healthedu.months import previous_month
from reports.services import ledger_run_now


def seed_ledgers(*, communities, today, stdout) -> None:
    month = previous_month(today)
    for community in communities:
        ledger_run_now(community=community, month=month, fmt="pdf")
    stdout.write(f"ledgers: {len(communities)} for {month:%Y-%m}")
