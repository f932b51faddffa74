"""README pictures of the printed ledger: its cover and a 健康教育活动记录表, rendered from a
believable month built in memory (bench.ledger.synthetic_ledger: no database) and turned into
PNG by pdftoppm (Debian's poppler-utils). `make docs-images` runs it.

    .venv/bin/python scripts/ledger_images.py [OUT_DIR]     # default docs/images
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(out_dir: Path) -> list[Path]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healthedu.settings")
    import django

    django.setup()
    from django.utils import translation

    from bench.ledger import synthetic_ledger
    from reports.pdf import render_ledger_pdf

    with translation.override("zh-hans"):
        ledger = synthetic_ledger(activities=3, rows=36, readings=12)
        content = render_ledger_pdf(ledger)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp, "ledger.pdf")
        pdf.write_bytes(content)
        # Page 1 is the cover; page 3 the first record form (page 2: the month's figures).
        for page, name in ((1, "ledger-cover"), (3, "ledger-record-form")):
            target = out_dir / name
            subprocess.run(
                ["pdftoppm", "-png", "-r", "70", "-f", str(page), "-l", str(page), "-singlefile"]
                + [str(pdf), str(target)],
                check=True,
            )
            written.append(target.with_suffix(".png"))
    return written


if __name__ == "__main__":
    for path in main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "images"):
        print(path)
