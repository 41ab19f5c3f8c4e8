"""Fill empty msgstr entries of a .po catalogue from a JSON dictionary {msgid: msgstr}.

Usage: python tools/fill_po.py locale/en/LC_MESSAGES/django.po tools/en/ [more.json ...]

Every further argument is a JSON dictionary or a folder of them (read in name order, later
files win): one file per area keeps parallel work from editing the same dictionary.

Keys and values of the dictionary:

- plain entries: ``"msgid": "msgstr"``;
- plural entries (ngettext, ``{% blocktranslate count %}``): the singular msgid as key and a
  list ``[singular, plural]`` as value; a plain string is not accepted for them;
- entries with a context (pgettext, ``{% translate … context … %}``): the key is
  ``"context\\u0004msgid"`` (the separator gettext itself uses between context and msgid),
  the value as above.

Existing translations are kept; fuzzy ones are replaced from the dictionary.
"""

import json
import re
import sys
from pathlib import Path

CONTEXT_SEPARATOR = "\x04"

ENTRY = re.compile(
    r'(?P<head>(?:#.*\n)*)(?:msgctxt (?P<ctx>(?:".*"\n)+))?'
    r'msgid (?P<id>(?:".*"\n)+)(?:msgid_plural (?P<pl>(?:".*"\n)+))?'
    r'(?P<strs>(?:msgstr(?:\[\d\])? (?:".*"\n)+)+)'
)


def _unquote(block: str) -> str:
    return "".join(json.loads(part) for part in re.findall(r'(".*")', block))


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _clean_head(head: str) -> str:
    """Drop the fuzzy flag and msgmerge's "#| msgid …" notes of the previous msgid."""
    lines = [line for line in head.splitlines(keepends=True) if not line.startswith("#|")]
    head = "".join(lines).replace("#, fuzzy\n", "").replace(", fuzzy", "")
    return head


def _dictionaries(arguments: list[str]) -> list[Path]:
    paths = []
    for argument in arguments:
        path = Path(argument)
        paths.extend(sorted(path.glob("*.json")) if path.is_dir() else [path])
    return paths


def main() -> int:
    po_path = Path(sys.argv[1])
    translations = {}
    for dict_path in _dictionaries(sys.argv[2:]):
        translations.update(json.loads(dict_path.read_text(encoding="utf-8")))
    text = po_path.read_text(encoding="utf-8")
    missing = []

    def replace(match: re.Match) -> str:
        msgid = _unquote(match.group("id"))
        strs = match.group("strs")
        if not msgid:
            return match.group(0)
        existing = [_unquote(b) for b in re.findall(r"msgstr(?:\[\d\])? ((?:\".*\"\n)+)", strs)]
        if all(existing) and "fuzzy" not in match.group("head"):
            return match.group(0)
        key = msgid
        if match.group("ctx"):
            key = _unquote(match.group("ctx")) + CONTEXT_SEPARATOR + msgid
        value = translations.get(key)
        plural = bool(match.group("pl"))
        if plural and not (isinstance(value, list) and len(value) == 2):
            value = None  # a plural entry needs [singular, plural]
        if not plural and not isinstance(value, str):
            value = None
        if value is None:
            missing.append(key.replace(CONTEXT_SEPARATOR, " | "))
            return match.group(0)
        out = _clean_head(match.group("head"))
        if match.group("ctx"):
            out += "msgctxt " + match.group("ctx")
        out += "msgid " + match.group("id")
        if plural:
            singular, plural_form = value
            out += "msgid_plural " + match.group("pl")
            out += f"msgstr[0] {_quote(singular)}\nmsgstr[1] {_quote(plural_form)}\n"
        else:
            out += f"msgstr {_quote(value)}\n"
        return out

    po_path.write_text(ENTRY.sub(replace, text), encoding="utf-8")
    for key in missing:
        print(f"untranslated: {key}")
    print(f"{len(missing)} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
