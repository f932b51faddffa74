"""`healthedu …`: manage.py for an installed product (no source tree needed)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healthedu.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
