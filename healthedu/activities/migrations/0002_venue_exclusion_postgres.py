"""On PostgreSQL the database itself refuses the same venue booked twice at overlapping times
in one community (non-cancelled activities with a venue). Other databases rely on the service
check in healthedu.activities.services."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE activities_event ADD CONSTRAINT event_venue_no_overlap
    EXCLUDE USING gist (
        community_id WITH =,
        venue WITH =,
        tstzrange(starts_at, ends_at, '[)') WITH &&
    ) WHERE (status <> 'cancelled' AND venue <> '');
"""

DROP = "ALTER TABLE activities_event DROP CONSTRAINT IF EXISTS event_venue_no_overlap;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
