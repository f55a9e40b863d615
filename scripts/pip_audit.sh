#!/usr/bin/env bash
# S17: known-vulnerable dependencies. pip-audit resolves requirements.txt (with everything it
# pulls in) and asks PyPI which pinned versions have published vulnerabilities. Any finding
# fails this script: bump the pin in requirements.txt to a fixed version, or, when there is no
# fixed version yet, add the ID to IGNORE below with a comment saying why that is acceptable.
#
# Where PyPI's per-version API is not reachable (pip-audit then reports every package as
# "not found" and would pass without having checked anything), the pins are checked against
# the project API instead, which lists the vulnerabilities of a project's newest release: a pin
# that is the newest release is checked that way; the rest are listed as unchecked. Set
# PIP_AUDIT_STRICT=1 to fail on unchecked pins too.
set -euo pipefail
cd "$(dirname "$0")/.."

# One line per accepted vulnerability: IGNORE+=(--ignore-vuln ID)  # why, and when to look again
IGNORE=()

report="$(mktemp)"
trap 'rm -f "$report" "$report.log"' EXIT

status=0
.venv/bin/pip-audit -r requirements.txt --progress-spinner off "${IGNORE[@]}" \
  --format json --output "$report" 2>"$report.log" || status=$?
if [ ! -s "$report" ]; then
  cat "$report.log" >&2
  echo "pip-audit: geen rapport (exit $status); de controle is niet uitgevoerd." >&2
  exit 1
fi

.venv/bin/python - "$report" "${IGNORE[@]}" <<'EOF'
"""Summarise pip-audit's JSON report; check skipped pins through PyPI's project API."""

import json
import os
import re
import sys
import urllib.request

report, ignored = json.load(open(sys.argv[1])), {a for a in sys.argv[2:] if a != "--ignore-vuln"}


def counts(vuln_id, aliases):
    return vuln_id not in ignored and not ignored & set(aliases or ())


def project(name):
    with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=30) as response:  # noqa: S310
        return json.load(response)


found, unchecked, audited = [], [], 0
for dep in report["dependencies"]:
    name, version, vulns = dep["name"], dep.get("version"), dep.get("vulns")
    if "skip_reason" in dep:
        match = re.search(r"\(([^()]+)\)$", dep["skip_reason"])
        version = match.group(1) if match else "?"
        try:
            data = project(name)
        except Exception as exc:  # unreachable or unknown: say so, never count it as checked
            unchecked.append(f"{name} {version} ({type(exc).__name__})")
            continue
        if data["info"]["version"] != version:
            unchecked.append(f"{name} {version} (nieuwste is {data['info']['version']})")
            continue
        vulns = [{"id": v["id"], "aliases": v.get("aliases"), "fix_versions": v.get("fixed_in") or []}
                 for v in data.get("vulnerabilities") or [] if not v.get("withdrawn")]
    audited += 1
    for v in vulns or ():
        if counts(v["id"], v.get("aliases")):
            fixes = ", ".join(v.get("fix_versions") or []) or "nog geen"
            found.append(f"{name} {version}: {v['id']} (opgelost in: {fixes})")

print(f"pip-audit: {audited} pakketten gecontroleerd, {len(found)} kwetsbaarheden, {len(unchecked)} niet te controleren.")
for line in found:
    print(f"  KWETSBAAR {line}")
for line in unchecked:
    print(f"  niet gecontroleerd: {line}")
strict = os.environ.get("PIP_AUDIT_STRICT") == "1"
sys.exit(1 if found or (strict and unchecked) or not audited else 0)
EOF
