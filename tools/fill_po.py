"""Fill empty msgstr entries of a .po catalogue from a JSON dictionary {msgid: msgstr}.

Usage: python tools/fill_po.py locale/en/LC_MESSAGES/django.po tools/en.json
Plural entries take a list [singular, plural]. Existing translations are kept.
"""

import json
import re
import sys
from pathlib import Path

ENTRY = re.compile(
    r'(?P<head>(?:#.*\n)*)msgid (?P<id>(?:".*"\n)+)(?:msgid_plural (?P<pl>(?:".*"\n)+))?'
    r'(?P<strs>(?:msgstr(?:\[\d\])? (?:".*"\n)+)+)'
)


def _unquote(block: str) -> str:
    return "".join(json.loads(part) for part in re.findall(r'(".*")', block))


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def main() -> int:
    po_path, dict_path = Path(sys.argv[1]), Path(sys.argv[2])
    translations = json.loads(dict_path.read_text(encoding="utf-8"))
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
        value = translations.get(msgid)
        if value is None:
            missing.append(msgid)
            return match.group(0)
        head = match.group("head").replace("#, fuzzy\n", "").replace(", fuzzy", "")
        out = head + "msgid " + match.group("id")
        if match.group("pl"):
            singular, plural = value if isinstance(value, list) else (value, value)
            out += "msgid_plural " + match.group("pl")
            out += f"msgstr[0] {_quote(singular)}\nmsgstr[1] {_quote(plural)}\n"
        else:
            out += f"msgstr {_quote(value)}\n"
        return out

    po_path.write_text(ENTRY.sub(replace, text), encoding="utf-8")
    for msgid in missing:
        print(f"untranslated: {msgid}")
    print(f"{len(missing)} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
