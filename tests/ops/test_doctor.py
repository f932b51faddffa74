"""`manage.py doctor`: each part the product needs, what is wrong and how to fix it."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

NAMES = ["数据库", "消息队列", "后台任务进程", "文件存储", "字体", "界面翻译", "定时任务（beat）"]


def doctor(expect_failure=False) -> dict:
    out = StringIO()
    args = ["doctor", "--json", "--worker-timeout", "0.5"]
    if expect_failure:
        with pytest.raises(CommandError, match="部分检查未通过"):
            call_command(*args, stdout=out)
    else:
        call_command(*args, stdout=out)
    answer = json.loads(out.getvalue())
    answer["by_name"] = {c["name"]: c for c in answer["checks"]}
    return answer


def beat_ran(at):
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.update_or_create(
        name="jobs-requeue",
        defaults={
            "task": "healthedu.jobs.tasks.requeue_jobs",
            "interval": every_minute,
            "last_run_at": at,
        },
    )


@pytest.mark.django_db
def test_a_healthy_install_passes_every_check_in_chinese():
    beat_ran(timezone.now() - timedelta(minutes=2))
    answer = doctor()
    assert [c["name"] for c in answer["checks"]] == NAMES
    assert answer["status"] == "ok", answer["checks"]
    assert {c["status"] for c in answer["checks"]} == {"ok"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("last_run", "detail"),
    [(None, "定时任务尚未运行"), (timedelta(minutes=11), "定时任务最后一次运行于")],
)
def test_beat_not_seen_lately_is_a_warning_saying_how_to_start_it(last_run, detail):
    if last_run is not None:
        beat_ran(timezone.now() - last_run)
    answer = doctor()
    beat = answer["by_name"]["定时任务（beat）"]
    assert answer["status"] == "warning"
    assert (beat["status"], detail in beat["detail"]) == ("warning", True)
    assert "celery -A healthedu beat" in beat["fix"]


@pytest.mark.django_db
def test_a_media_store_that_cannot_be_written_is_an_error(settings, tmp_path):
    not_a_folder = tmp_path / "media"
    not_a_folder.write_text("a file where the folder should be")
    settings.MEDIA_ROOT = not_a_folder
    media = doctor(expect_failure=True)["by_name"]["文件存储"]
    assert media["status"] == "error"
    assert str(not_a_folder) in media["detail"]
    assert "MEDIA_ROOT" in media["fix"]


@pytest.mark.django_db
def test_uncompiled_translations_name_the_folder_and_the_command(settings, tmp_path):
    folder = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.po").write_text('msgid ""\nmsgstr ""\n', encoding="utf-8")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    check = doctor(expect_failure=True)["by_name"]["界面翻译"]
    assert check["status"] == "error"
    assert str(tmp_path / "locale") in check["detail"]
    assert "compilemessages" in check["fix"]


@pytest.mark.django_db
def test_a_broker_that_is_down_is_an_error_and_the_worker_is_not_checked(monkeypatch):
    # Celery reads CELERY_BROKER_URL from the environment before its configuration (CI sets it).
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    answer = doctor(expect_failure=True)
    broker, worker = answer["by_name"]["消息队列"], answer["by_name"]["后台任务进程"]
    assert (broker["status"], broker["detail"].startswith("无法连接消息队列（redis）")) == (
        "error",
        True,
    )
    assert "CELERY_BROKER_URL" in broker["fix"]
    assert (worker["status"], worker["detail"]) == ("error", "未检查：无法连接消息队列。")


@pytest.mark.django_db
def test_the_text_report_gives_each_fix_under_its_check(settings, tmp_path):
    not_a_folder = tmp_path / "media"
    not_a_folder.write_text("x")
    settings.MEDIA_ROOT = not_a_folder
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("doctor", "--worker-timeout", "0.5", stdout=out)
    lines = out.getvalue().splitlines()
    media = next(i for i, line in enumerate(lines) if "文件存储" in line)
    assert lines[media].startswith("✗")
    assert lines[media + 1].strip().startswith("→") and "MEDIA_ROOT" in lines[media + 1]
    assert any(line.startswith("✓ 数据库") for line in lines)


@pytest.mark.django_db
def test_health_stays_short_and_anonymous_and_full_is_for_admins(api, educator_a, admin_user):
    assert api(None).get("/api/health/").json() == {"status": "ok"}
    assert api(None).get("/api/health/?full=1").status_code == 401
    assert api(educator_a).get("/api/health/?full=1").status_code == 403
    answer = api(admin_user).get("/api/health/?full=1")
    assert answer.status_code == 200, [c for c in answer.json()["checks"] if c["status"] == "error"]
    assert [c["name"] for c in answer.json()["checks"]] == NAMES


@pytest.mark.django_db
def test_full_health_answers_503_when_a_check_fails(api, admin_user, settings, tmp_path):
    not_a_folder = tmp_path / "media"
    not_a_folder.write_text("x")
    settings.MEDIA_ROOT = not_a_folder
    answer = api(admin_user).get("/api/health/?full=1")
    assert answer.status_code == 503
    assert answer.json()["status"] == "error"
    media = next(c for c in answer.json()["checks"] if c["name"] == "文件存储")
    assert media["status"] == "error" and "MEDIA_ROOT" in media["fix"]
