"""The whole organisation in one workbook: sheets 街道, 社区 and 用户, in the headers people use.

Importing is idempotent (a district and a street are found by name, a community by code, a
user by username: a second run updates, never duplicates) and reports row by row, as the
resident import does; a bad row is rolled back alone. Exporting writes the current setup in the
same format, so that a district can export, edit and import again.

Passwords never come from a file: a new user gets a generated one, reported once to the admin
who ran the import (the job's `secrets`), and must change it at the first sign-in.
"""

import io
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from healthedu.audit.services import Action, audit_record
from healthedu.org.models import Community, District, Role, Street, User
from healthedu.org.services import (
    community_create,
    community_update,
    password_generate,
    passwords_hash,
    street_find,
    street_resolve,
    street_update,
    user_save,
)
from healthedu.tabular import (
    ImportReport,
    RowError,
    TableError,
    append_row,
    cell_text,
    parse_yes_no,
    read_table,
    unescape_cell,
)

STREETS, COMMUNITIES, USERS = "街道", "社区", "用户"
SHEETS = (STREETS, COMMUNITIES, USERS)

STREET_COLUMNS = {"district": ["区", "所属区", "区县"], "street": ["街道", "街道名称"]}
COMMUNITY_COLUMNS = {
    "code": ["社区编码", "编码", "社区代码"],
    "name": ["社区名称", "社区"],
    "street": ["街道", "所属街道"],
    "district": ["区", "所属区"],
}
USER_COLUMNS = {
    "username": ["用户名", "账号", "登录名"],
    "full_name": ["姓名"],
    "role": ["角色"],
    "communities": ["社区编码", "社区"],
    "streets": ["街道"],
    "districts": ["区"],
    "inactive": ["停用", "是否停用"],
}
HEADERS = {
    STREETS: ["区", "街道"],
    COMMUNITIES: ["社区编码", "社区名称", "街道", "区"],
    USERS: ["用户名", "姓名", "角色", "社区编码", "街道", "区", "停用"],
}
LABELS = {
    STREETS: {"district": "区", "street": "街道", "name": "街道"},
    COMMUNITIES: {"code": "社区编码", "name": "社区名称", "street": "街道", "district": "区"},
    USERS: {
        "username": "用户名",
        "full_name": "姓名",
        "role": "角色",
        "communities": "社区编码",
        "streets": "街道",
        "districts": "区",
        "inactive": "停用",
        "is_active": "停用",
        "password": "用户名",
    },
}
ROLE_WORDS = {
    "管理员": Role.ADMIN,
    "系统管理员": Role.ADMIN,
    "领导": Role.LEADER,
    "领导小组成员": Role.LEADER,
    "健康教导员": Role.EDUCATOR,
    "教导员": Role.EDUCATOR,
    "网络员": Role.EDUCATOR,
    **{role.value: role.value for role in Role},
}
ROLE_NAMES = {Role.ADMIN: "管理员", Role.LEADER: "领导", Role.EDUCATOR: "健康教导员"}
_SPLIT = re.compile(r"[、,，;；\s]+")
gettext_noop("sheet")


def _text(value) -> str:
    return unescape_cell(cell_text(value))


def _names(value) -> list[str]:
    return [name for name in _SPLIT.split(_text(value)) if name]


def _rows(table, fields):
    for number, values in table.rows:
        cells = {}
        for name in fields:
            index = table.columns.get(name)
            cells[name] = values[index] if index is not None and index < len(values) else None
        if any(_text(v) for v in cells.values()):
            yield number, cells


def _first_error(exc: ValidationError) -> tuple[str, str]:
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.message_dict.items()))
        return field, errors[0]
    return "", exc.messages[0]


class _Run:
    def __init__(self, actor, new_passwords: dict[str, tuple[str, str]]):
        self.actor = actor
        self.reports = {name: ImportReport() for name in SHEETS}
        self.passwords: list[dict] = []
        self.new_passwords = new_passwords  # username -> (password, its hash), made beforehand

    def row(self, sheet: str, number: int, handle, cells) -> None:
        report = self.reports[sheet]
        report.total_rows += 1
        try:
            with transaction.atomic():  # a savepoint: a bad row leaves nothing behind
                outcome = handle(cells, number)
        except RowError as exc:
            self._error(sheet, number, exc.field, exc.message)
        except ValidationError as exc:
            self._error(sheet, number, *_first_error(exc))
        else:
            setattr(report, outcome, getattr(report, outcome) + 1)

    def _error(self, sheet, number, field, reason) -> None:
        self.reports[sheet].errors.append(
            {
                "sheet": sheet,
                "row": number,
                "field": field,
                "column": LABELS[sheet].get(field, field),
                "reason": str(reason),
            }
        )

    # 街道: a street and its district; a street already known under another district moves.
    def street(self, cells, number) -> str:
        district, name = _text(cells["district"]), _text(cells["street"])
        if not district:
            raise RowError("district", _("The district's name is missing."))
        if not name:
            raise RowError("street", _("The street's name is missing."))
        street = street_find(name=name)
        if street is None:
            street_resolve(name=name, district_name=district)
            return "created"
        if street.district.name == district:
            return "unchanged"
        street_update(street=street, district_name=district, actor=self.actor)
        return "updated"

    # 社区: a community by code; its street (and district) made when new.
    def community(self, cells, number) -> str:
        code, name = _text(cells["code"]), _text(cells["name"])
        street, district = _text(cells["street"]), _text(cells["district"]) or None
        if not code:
            raise RowError("code", _("The community's code is missing."))
        if len(code) > 32:
            raise RowError("code", _("The code is longer than 32 characters."))
        if not name:
            raise RowError("name", _("The community's name is missing."))
        if not street:
            raise RowError("street", _("The street's name is missing."))
        if street_find(name=street) is not None:
            # A known street's district is set on the 街道 sheet (read first); here the column
            # only names the district of a street that is new.
            district = None
        community = Community.objects.select_related("street__district").filter(code=code).first()
        if community is None:
            community_create(
                code=code, name=name, street_name=street, district_name=district, actor=self.actor
            )
            return "created"
        if community.name == name and community.street.name == street:
            return "unchanged"
        community_update(
            community=community,
            name=name,
            street_name=street,
            district_name=district,
            actor=self.actor,
        )
        return "updated"

    # 用户: a user by username; a new one gets a generated password.
    def user(self, cells, number) -> str:
        username = _text(cells["username"])
        if not username:
            raise RowError("username", _("The username is missing."))
        role_text = _text(cells["role"])
        if role_text not in ROLE_WORDS:
            raise RowError(
                "role",
                _("%(text)s is not a role (管理员, 领导, 健康教导员).")
                % {"text": role_text or "—"},
            )
        try:
            inactive = parse_yes_no(cells["inactive"])
        except ValueError as exc:
            raise RowError("inactive", str(exc)) from None
        data = {
            "full_name": _text(cells["full_name"]),
            "role": ROLE_WORDS[role_text],
            "communities": self._lookup(
                Community, "code", _names(cells["communities"]), "communities"
            ),
            "streets": self._lookup(Street, "name", _names(cells["streets"]), "streets"),
            "districts": self._lookup(District, "name", _names(cells["districts"]), "districts"),
            "is_active": not inactive,
        }
        user = User.objects.filter(username=username).first()
        if user is None:
            from django.contrib.auth.validators import UnicodeUsernameValidator

            if len(username) > 150:
                raise RowError("username", _("The username is longer than 150 characters."))
            try:
                UnicodeUsernameValidator()(username)
            except ValidationError as exc:
                raise RowError("username", exc.messages[0]) from None
            password, hashed = (
                self.new_passwords.get(username) or _passwords_for([username])[username]
            )
            user_save(data={**data, "username": username}, actor=self.actor, password_hash=hashed)
            self.passwords.append({"row": number, "username": username, "password": password})
            return "created"
        if _user_matches(user, data):
            return "unchanged"
        user_save(user=user, data=data, actor=self.actor)
        return "updated"

    def _lookup(self, model, field: str, values: list[str], column: str) -> list:
        found = {getattr(o, field): o for o in model.objects.filter(**{f"{field}__in": values})}
        missing = [v for v in values if v not in found]
        if missing:
            raise RowError(column, _("Unknown: %(names)s.") % {"names": "、".join(missing)})
        if model is Street and len(found) < len(set(values)):
            raise RowError(column, _("A street name here is shared by several districts."))
        return [found[v] for v in dict.fromkeys(values)]

    def result(self) -> dict:
        errors = [e for name in SHEETS for e in self.reports[name].errors]
        totals = {
            key: sum(getattr(self.reports[n], key) for n in SHEETS)
            for key in ("total_rows", "created", "updated", "unchanged")
        }
        return {
            **totals,
            "imported": totals["created"] + totals["updated"] + totals["unchanged"],
            "error_count": len(errors),
            "errors": errors,
            "sheets": {name: self.reports[name].as_dict() for name in SHEETS},
            # Shown once, to the admin who ran the import (healthedu.jobs.services.job_secrets).
            "secrets": {"passwords": self.passwords},
        }


def _user_matches(user: User, data: dict) -> bool:
    def ids(name):
        return {o.pk for o in getattr(user, name).all()}

    return (
        f"{user.first_name}{user.last_name}" == data["full_name"]
        and user.role == data["role"]
        and user.is_active == data["is_active"]
        and all(ids(n) == {o.pk for o in data[n]} for n in ("communities", "streets", "districts"))
    )


def sheets_present(content: bytes) -> list[str]:
    from python_calamine import CalamineWorkbook

    try:
        names = CalamineWorkbook.from_filelike(io.BytesIO(content)).sheet_names
    except Exception:  # calamine's own error types for a damaged workbook
        raise TableError(
            _("The workbook cannot be opened; it may be damaged or password-protected.")
        ) from None
    return [name for name in SHEETS if name in names]


def check_upload(upload) -> None:
    """Before any job starts: an .xlsx workbook holding at least one of the three sheets."""
    from healthedu.tabular import check_upload as check_file

    check_file(upload, allowed=(".xlsx",))
    upload.seek(0)
    present = sheets_present(upload.read())
    upload.seek(0)
    if not present:
        raise TableError(
            _("The workbook has none of the sheets %(names)s.") % {"names": "、".join(SHEETS)}
        )


def _passwords_for(usernames: list[str]) -> dict[str, tuple[str, str]]:
    passwords = [password_generate() for _ in usernames]
    return dict(zip(usernames, zip(passwords, passwords_hash(passwords), strict=True), strict=True))


def _new_usernames(content: bytes) -> list[str]:
    table = read_table(
        io.BytesIO(content), "setup.xlsx", USER_COLUMNS, required=("username",), sheet=USERS
    )
    named = {_text(cells["username"]) for _n, cells in _rows(table, USER_COLUMNS)} - {""}
    known = set(User.objects.filter(username__in=named).values_list("username", flat=True))
    return sorted(named - known)


def import_setup(*, content: bytes, actor=None, progress=lambda p: None) -> dict:
    """Import the sheets present, in tree order (streets, communities, users). New users'
    passwords are generated and hashed first, outside the transaction."""
    present = sheets_present(content)
    new_passwords = _passwords_for(_new_usernames(content)) if USERS in present else {}
    progress(10)
    run = _Run(actor, new_passwords)
    plan = [
        (STREETS, STREET_COLUMNS, ("street",), run.street),
        (COMMUNITIES, COMMUNITY_COLUMNS, ("code",), run.community),
        (USERS, USER_COLUMNS, ("username",), run.user),
    ]
    with transaction.atomic():
        for step, (sheet, columns, required, handle) in enumerate(plan):
            if sheet not in present:
                continue
            table = read_table(
                io.BytesIO(content), "setup.xlsx", columns, required=required, sheet=sheet
            )
            for number, cells in _rows(table, columns):
                run.row(sheet, number, handle, cells)
            progress(10 + 30 * (step + 1))
        result = run.result()
        audit_record(
            user=actor,
            action=Action.IMPORT,
            model=Community._meta.label,
            object_id="setup",
            repr_="onboarding workbook",
            note=f"created {result['created']}, updated {result['updated']}, unchanged {result['unchanged']}, errors {result['error_count']}",
        )
    return result


def export_setup() -> bytes:
    """The current setup as the workbook import_setup reads (the template, when empty)."""
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    rows = {
        STREETS: [
            [s.district.name, s.name]
            for s in Street.objects.select_related("district").order_by("district__name", "name")
        ],
        COMMUNITIES: [
            [c.code, c.name, c.street.name, c.street.district.name]
            for c in Community.objects.select_related("street__district").order_by("code")
        ],
        USERS: [
            [
                u.username,
                f"{u.first_name}{u.last_name}",
                ROLE_NAMES.get(u.role, u.role),
                "、".join(c.code for c in u.communities.all()),
                "、".join(s.name for s in u.streets.all()),
                "、".join(d.name for d in u.districts.all()),
                "" if u.is_active else "是",
            ]
            for u in User.objects.prefetch_related("communities", "streets", "districts").order_by(
                "username"
            )
        ],
    }
    for name in SHEETS:
        sheet = workbook.create_sheet(name)
        sheet.append(HEADERS[name])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows[name]:
            append_row(sheet, row)
        for index in range(len(HEADERS[name])):
            sheet.column_dimensions[chr(ord("A") + index)].width = 18
            for row_number in range(2, max(len(rows[name]) + 2, 202)):
                sheet.cell(row=row_number, column=index + 1).number_format = "@"
    notes = workbook.create_sheet("填写说明")
    for line in [
        "街道：每行一个街道及其所属区；已有街道改填另一个区即为迁移。",
        "社区：社区编码唯一；按编码更新名称和所属街道；区一列只用于新建街道（已有街道的区在“街道”表中修改）。",
        "用户：角色填 管理员 / 领导 / 健康教导员；社区编码、街道、区可填多个，用顿号（、）分隔；停用填 是 或留空。",
        "密码不从文件读取：新用户的初始密码在导入结果中显示一次，首次登录须修改。",
    ]:
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
