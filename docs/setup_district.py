#!/usr/bin/env python3
"""Set up a district through the API alone: a district, its streets, communities and users.

    python docs/setup_district.py --url https://health.example.org --token <an admin's token>

Get the token with `POST /api/auth/token/ {"username", "password"}` as an admin. Edit PLAN
below (or pass --plan plan.json with the same shape) for your district. Running it again is
safe: what exists already is left as it is. New users get a generated password, printed once
at the end; they must change it at their first sign-in on the pages.

Standard library only, so it runs wherever Python 3.10+ does.
"""

import argparse
import json
import secrets
import sys
import urllib.error
import urllib.parse
import urllib.request

PLAN = {
    "district": "示范区",
    "streets": ["东门街道", "西门街道"],
    "communities": [
        {"code": "DM01", "name": "东门一社区", "street": "东门街道"},
        {"code": "DM02", "name": "东门二社区", "street": "东门街道"},
        {"code": "XM01", "name": "西门一社区", "street": "西门街道"},
        {"code": "XM02", "name": "西门二社区", "street": "西门街道"},
    ],
    "users": [
        {"username": "sfq_admin", "full_name": "周文", "role": "admin"},
        {"username": "sfq_leader", "full_name": "吴刚", "role": "leader", "districts": ["示范区"]},
        {"username": "dm_leader", "full_name": "郑丽", "role": "leader", "streets": ["东门街道"]},
        {"username": "xm_leader", "full_name": "王强", "role": "leader", "streets": ["西门街道"]},
        {"username": "dm01_edu", "full_name": "冯敏", "role": "educator", "communities": ["DM01"]},
        {"username": "dm02_edu", "full_name": "陈静", "role": "educator", "communities": ["DM02"]},
        {"username": "xm01_edu", "full_name": "褚红", "role": "educator", "communities": ["XM01"]},
        {"username": "xm02_edu", "full_name": "卫东", "role": "educator", "communities": ["XM02"]},
        {
            "username": "dm_edu",
            "full_name": "蒋华",
            "role": "educator",
            "communities": ["DM01", "DM02"],
        },
        {"username": "xm_edu", "full_name": "沈玉", "role": "educator", "streets": ["西门街道"]},
    ],
}


class ApiError(Exception):
    pass


class Api:
    def __init__(self, base_url: str, token: str):
        self.base = base_url.rstrip("/") + "/api/"
        self.headers = {
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }

    def call(self, method: str, path: str, body=None):
        data = json.dumps(body).encode() if body is not None else None
        url = path if path.startswith("http") else self.base + path
        request = urllib.request.Request(url, data=data, method=method, headers=self.headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")
            raise ApiError(f"{method} {path} → {exc.code}: {detail}") from None

    def all(self, path: str) -> list:
        rows, url = [], f"{path}?page_size=500"
        while url:
            page = self.call("GET", url)
            rows += page["results"]
            url = page.get("next")
        return rows


def password() -> str:
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


def set_up(api: Api, plan: dict, out=sys.stdout) -> dict:
    """Create what the plan names and does not exist yet. Returns {username: password} of the
    users created."""
    district = plan["district"]
    if district not in {d["name"] for d in api.all("districts/")}:
        api.call("POST", "districts/", {"name": district})
        print(f"district {district}: created", file=out)
    known = {s["name"]: s["district"] for s in api.all("streets/")}
    for street in plan["streets"]:
        if street in known:
            if known[street] != district:
                raise ApiError(f"street {street} belongs to {known[street]}, not {district}")
            continue
        api.call("POST", "streets/", {"name": street, "district": district})
        print(f"street {street}: created", file=out)
    codes = {c["code"] for c in api.all("communities/")}
    for community in plan["communities"]:
        if community["code"] in codes:
            continue
        api.call("POST", "communities/", {**community, "district": district})
        print(f"community {community['code']} {community['name']}: created", file=out)
    usernames = {u["username"] for u in api.all("users/")}
    created = {}
    for user in plan["users"]:
        if user["username"] in usernames:
            continue
        chosen = password()
        api.call("POST", "users/", {**user, "password": chosen})
        created[user["username"]] = chosen
        print(f"user {user['username']} ({user['role']}): created", file=out)
    return created


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the site's base URL")
    parser.add_argument("--token", required=True, help="an admin's API token")
    parser.add_argument("--plan", help="a JSON file shaped like PLAN in this script")
    args = parser.parse_args(argv)
    plan = PLAN
    if args.plan:
        with open(args.plan, encoding="utf-8") as handle:
            plan = json.load(handle)
    try:
        created = set_up(Api(args.url, args.token), plan)
    except (ApiError, urllib.error.URLError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if created:
        print("\nNew users and their first passwords (shown once; changed at first sign-in):")
        for username, chosen in created.items():
            print(f"  {username}\t{chosen}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
