#!/usr/bin/env bash
# check-potfiles.sh: po/POTFILES.in must list every file with translatable strings.
#
# Copyright 2026 The Spark authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: build-aux/check-potfiles.sh [--update] [SOURCE_ROOT]
#
# With --update, rewrite po/POTFILES.in instead: keep its comments and its
# entries outside src/ that still exist, then list every marked src/ file, sorted.
#
# Fails when
#  - a file under src/ marks a string for translation (_( N_( C_( NC_( ngettext(
#    in C, translatable="yes" in .ui) but is not listed in po/POTFILES.in, so its
#    strings would never reach translators; or
#  - po/POTFILES.in lists a file that does not exist, which breaks `ninja spark-pot`.

set -u
export LC_ALL=C

update=0
if [ "${1:-}" = "--update" ]; then
  update=1
  shift
fi

root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
potfiles="$root/po/POTFILES.in"

if [ ! -f "$potfiles" ]; then
  echo "error: $potfiles is missing" >&2
  exit 1
fi

cd "$root" || exit 1

# The listed files: drop comments and blank lines, trim spaces.
listed=$(sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$potfiles" | grep -v '^$' | sort -u)

status=0

while IFS= read -r f; do
  [ -z "$f" ] && continue
  if [ ! -e "$f" ]; then
    echo "error: po/POTFILES.in lists $f, which does not exist; remove that line"
    status=1
  fi
done <<< "$listed"

# Files under src/ that mark strings for translation.
c_marked=$(grep -rlE --include='*.c' --include='*.h' \
             '(^|[^A-Za-z0-9_])(_|N_|C_|NC_|Q_|g_dngettext|g_dpgettext2|ngettext)[[:space:]]*\(' src 2>/dev/null)
ui_marked=$(grep -rlE --include='*.ui' 'translatable="(yes|true|1)"' src 2>/dev/null)
marked=$(printf '%s\n%s\n' "$c_marked" "$ui_marked" | grep -v '^$' | sort -u)

if [ "$update" -eq 1 ]; then
  {
    grep '^#' "$potfiles"
    while IFS= read -r f; do
      case "$f" in src/*) ;; *) [ -e "$f" ] && printf '%s\n' "$f" ;; esac
    done <<< "$listed"
    printf '%s\n' "$marked" | grep -v '^$'
  } > "$potfiles.tmp" && mv "$potfiles.tmp" "$potfiles"
  echo "po/POTFILES.in updated: $(printf '%s\n' "$marked" | grep -c .) file(s) under src/"
  exit 0
fi

missing=""
while IFS= read -r f; do
  [ -z "$f" ] && continue
  if ! grep -qxF "$f" <<< "$listed"; then
    missing="$missing$f"$'\n'
  fi
done <<< "$marked"

if [ -n "$missing" ]; then
  echo "error: these files have translatable strings but are not in po/POTFILES.in:"
  printf '%s' "$missing" | sed 's/^/  /'
  echo "Add each path (relative to the source root, one a line, sorted) to po/POTFILES.in,"
  echo "or run: build-aux/check-potfiles.sh --update"
  status=1
fi

if [ "$status" -eq 0 ]; then
  echo "po/POTFILES.in lists all $(printf '%s\n' "$marked" | grep -c .) source file(s) with translatable strings"
fi

exit "$status"
