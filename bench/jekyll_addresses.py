"""Compare the addresses and feed ids import_jekyll gives a Jekyll site's posts with the
ones Jekyll itself gives them (issue 21).

    .venv/bin/python bench/jekyll_addresses.py SITE_FOLDER [SITE_FOLDER...] [--url URL]

For each site, Jekyll (the `jekyll` command, e.g. Debian's `jekyll` package) builds a
copy of it with one added page listing every post's and draft's path, url and id, with
the site's plugins, theme, layouts and page contents left out (addresses do not depend
on them; jekyll-redirect-from's are not compared); then
posts.jekyll_site computes the same from the source, without writing anything. Prints
one line per post that differs and, per site, "addresses: N of M the same; feed ids: N
of M the same". Exit status 1 when anything differs, 2 when jekyll is missing.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote

LISTING = """---
layout: null
permalink: /addresses.txt
keep_liquid: true
---
{% for p in site.posts %}{{ p.relative_path }}\t{{ p.url }}\t{{ p.id }}
{% endfor %}"""


BLANK_PLUGIN = """
Jekyll::Hooks.register [:pages, :documents], :pre_render do |doc, _payload|
  doc.content = "" unless doc.data["keep_liquid"]
end
"""


def jekyll_addresses(folder, workdir):
    """{relative path: (url, id)} as Jekyll makes them, with drafts."""
    copy = Path(workdir) / "site"
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns(".git", "_site", "node_modules"))
    (copy / "addresses-listing.txt").write_text(LISTING)
    # Addresses do not depend on what pages render: every page and post is emptied before
    # Liquid sees it, and layouts and includes go, so tags of plugins not installed here
    # cannot stop the build.
    for folder_name in ("_layouts", "_includes", "_plugins"):
        shutil.rmtree(copy / folder_name, ignore_errors=True)
    (copy / "_plugins").mkdir()
    (copy / "_plugins" / "blank.rb").write_text(BLANK_PLUGIN)
    override = Path(workdir) / "override.yml"
    override.write_text("plugins: []\ntheme: null\nremote_theme: null\nfuture: true\n")
    config = ",".join(str(path) for path in [copy / "_config.yml", override] if path.exists())
    result = subprocess.run(
        ["jekyll", "build", "--drafts", "-s", str(copy), "-d", str(copy / "_out"),
         "--config", config],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if result.returncode:
        raise SystemExit(f"{folder}: jekyll build failed:\n{result.stderr[-2000:]}")
    found = {}
    for line in (copy / "_out" / "addresses.txt").read_text().splitlines():
        if line.strip():
            relative, url, post_id = line.split("\t")
            found[relative] = (url, post_id)
    return found


def our_addresses(folder, url):
    """{relative path: (address, jekyll url, feed id, old addresses)} from posts.jekyll_site."""
    from posts.jekyll_site import JekyllSite

    site = JekyllSite.from_folder(folder, url=url)
    sources, _ = site.discover()
    site.index(sources)
    return site, {source.relative: source for source in sources}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+")
    parser.add_argument("--url", default=None)
    options = parser.parse_args()
    if shutil.which("jekyll") is None:
        print("jekyll is not installed (apt-get install jekyll)", file=sys.stderr)
        return 2
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advice_site.settings")
    os.environ.setdefault("DJANGO_DEBUG", "true")
    import django

    django.setup()
    differ = False
    for folder in options.folders:
        with tempfile.TemporaryDirectory() as workdir:
            theirs = jekyll_addresses(folder, workdir)
        site, ours = our_addresses(folder, options.url)
        same_address = same_id = 0
        for relative, (url, post_id) in sorted(theirs.items()):
            source = ours.get(relative)
            if source is None or source.error:
                why = source.error if source else "not found"
                print(f"{folder}: {relative}: not imported ({why})")
                differ = True
                continue
            served = unquote(site.baseurl + url)
            kept = source.address == served or (
                served in [unquote(old) for old in source.old_addresses]
            )
            if kept and source.jekyll_url == url:
                same_address += 1
            else:
                differ = True
                print(f"{folder}: {relative}: Jekyll {served}, here {source.address}")
            expected_id = site.feed_entry_id(post_id=post_id, url=url)
            if source.feed_id == expected_id:
                same_id += 1
            else:
                differ = True
                print(f"{folder}: {relative}: feed id Jekyll {expected_id}, here {source.feed_id}")
        total = len(theirs)
        print(
            f"{folder}: addresses: {same_address} of {total} the same (or redirected); "
            f"feed ids: {same_id} of {total} the same"
        )
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
