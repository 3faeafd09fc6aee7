#!/usr/bin/env bash
# check-translation.sh: a translation is complete, valid and really built.
#
# Copyright 2026 The Spark authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage:
#   build-aux/check-translation.sh PO_FILE [MO_FILE [CHECK...]]
#   build-aux/check-translation.sh --current PO_FILE SOURCE_ROOT
#   build-aux/check-translation.sh --help-output SPARK_BINARY LOCALEDIR LANG_CODE LOCALE EXPECTED
#
# First form:
#  (a) `msgfmt --check --statistics` on PO_FILE must succeed and report no
#      fuzzy and no untranslated messages, and the header must declare the
#      Plural-Forms;
#  (b) with MO_FILE (the catalogue meson's i18n module built), the catalogue
#      must exist and, decompiled with msgunfmt, hold each CHECK:
#        --expect MSGID MSGSTR
#        --expect-plural MSGID MSGID_PLURAL MSGSTR0 MSGSTR1
#      (simple strings only: no quotes, backslashes or newlines).
#
# Second form (--current): extracts the messages of SOURCE_ROOT's
# po/POTFILES.in afresh (xgettext, with the keywords and flags of meson's
# "glib" preset, into a temporary folder), merges PO_FILE with them
# (msgmerge) and applies (a) to the result: a message added to the sources
# but not translated, or changed so that its translation went fuzzy, fails.
#
# Third form (c): runs `SPARK_BINARY --help` with LANGUAGE=LANG_CODE and
# LC_ALL=LOCALE and expects EXPECTED in its output. The program binds its
# catalogue to LOCALEDIR at install time and glibc ignores LANGUAGE in the C
# locale, so this exits 77 (skip) unless LOCALE is generated on this machine
# and LOCALEDIR holds an installed spark.mo for LANG_CODE.

set -u
export LC_ALL=C

fail() {
  echo "FAIL: $*"
  exit 1
}

if [ "${1:-}" = "--help-output" ]; then
  [ $# -eq 6 ] || fail "usage: $0 --help-output SPARK_BINARY LOCALEDIR LANG_CODE LOCALE EXPECTED"
  spark=$2 localedir=$3 lang=$4 loc=$5 expected=$6
  want=$(printf '%s' "$loc" | tr '[:upper:]' '[:lower:]' | sed 's/-//g')
  if ! locale -a 2>/dev/null | tr '[:upper:]' '[:lower:]' | sed 's/-//g' | grep -qxF "$want"; then
    echo "SKIP: the locale $loc is not generated on this machine"
    exit 77
  fi
  if [ ! -f "$localedir/$lang/LC_MESSAGES/spark.mo" ]; then
    echo "SKIP: no installed catalogue $localedir/$lang/LC_MESSAGES/spark.mo (spark binds LOCALEDIR)"
    exit 77
  fi
  out=$(LANGUAGE=$lang LC_ALL=$loc "$spark" --help 2>&1) || fail "$spark --help failed: $out"
  if ! grep -qF -- "$expected" <<< "$out"; then
    printf '%s\n' "$out"
    fail "$spark --help under LANGUAGE=$lang LC_ALL=$loc does not print “$expected”"
  fi
  echo "ok: $spark --help is translated ($lang)"
  exit 0
fi

# (a) msgfmt --check --statistics. It writes the statistics to stderr, e.g.
#   "590 translated messages, 2 fuzzy translations, 1 untranslated message."
check_complete() {
  local po=$1 what=$2 stats rc last translated fuzzy untranslated

  stats=$(msgfmt --check --statistics -o /dev/null "$po" 2>&1)
  rc=$?
  printf '%s\n' "$stats"
  [ "$rc" -eq 0 ] || fail "msgfmt --check found errors in $what (exit status $rc)"

  last=$(printf '%s\n' "$stats" | grep -E '[0-9]+ translated message' | tail -n 1)
  [ -n "$last" ] || fail "cannot read the statistics of msgfmt for $what"
  translated=$(grep -oE '[0-9]+ translated message' <<< "$last" | grep -oE '^[0-9]+')
  fuzzy=$(grep -oE '[0-9]+ fuzzy translation' <<< "$last" | grep -oE '^[0-9]+')
  untranslated=$(grep -oE '[0-9]+ untranslated message' <<< "$last" | grep -oE '^[0-9]+')
  fuzzy=${fuzzy:-0}
  untranslated=${untranslated:-0}

  [ "$translated" -gt 0 ] || fail "$what translates nothing"
  [ "$fuzzy" -eq 0 ] || fail "$what has $fuzzy fuzzy translation(s)"
  [ "$untranslated" -eq 0 ] || fail "$what has $untranslated untranslated message(s)"
  if printf '%s\n' "$stats" | grep -qiE 'warning|error'; then
    fail "msgfmt reported problems in $what"
  fi
  grep -qE '^"Plural-Forms: nplurals=[0-9]+; plural=.*;\\n"$' "$po" \
    || fail "$what declares no Plural-Forms"
  echo "ok: $what: $translated translated, 0 fuzzy, 0 untranslated"
}

if [ "${1:-}" = "--current" ]; then
  [ $# -eq 3 ] || fail "usage: $0 --current PO_FILE SOURCE_ROOT"
  po=$2 root=$3
  [ -f "$po" ] || fail "$po does not exist"
  [ -f "$root/po/POTFILES.in" ] || fail "$root/po/POTFILES.in does not exist"
  tmp=$(mktemp -d) || fail "cannot make a temporary folder"
  trap 'rm -rf "$tmp"' EXIT

  # The keywords and flags of meson's i18n.gettext(preset: 'glib').
  xgettext --package-name=spark -f "$root/po/POTFILES.in" -D "$root" -o "$tmp/spark.pot" \
    --from-code=UTF-8 --add-comments \
    --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
    --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
    --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
    --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
    --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
    --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
    --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format \
    --flag=g_print:1:c-format --flag=g_printerr:1:c-format --flag=g_printf:1:c-format \
    --flag=g_fprintf:2:c-format --flag=g_sprintf:2:c-format --flag=g_snprintf:3:c-format \
    || fail "xgettext cannot extract the messages of $root"
  msgmerge --quiet --no-fuzzy-matching -o "$tmp/merged.po" "$po" "$tmp/spark.pot" \
    || fail "msgmerge cannot merge $po with the messages of $root"
  # Fuzzy matching is off: a changed message is then untranslated, not a
  # guess, and the count says how many need a translator.
  check_complete "$tmp/merged.po" "$po (merged with the current sources)"
  exit 0
fi

[ $# -ge 1 ] || fail "usage: $0 PO_FILE [MO_FILE [CHECK...]]"
po=$1
shift
[ -f "$po" ] || fail "$po does not exist"

check_complete "$po" "$po"

[ $# -ge 1 ] || exit 0

# (b) the built catalogue exists and holds the expected translations.
mo=$1
shift
[ -f "$mo" ] || fail "the built catalogue $mo does not exist"
decompiled=$(msgunfmt --no-wrap "$mo") || fail "msgunfmt cannot read $mo"
# Anchor every block at a line start.
decompiled=$'\n'"$decompiled"$'\n'

checks=0
while [ $# -gt 0 ]; do
  case "$1" in
    --expect)
      [ $# -ge 3 ] || fail "--expect needs MSGID MSGSTR"
      block=$'\n'"msgid \"$2\""$'\n'"msgstr \"$3\""$'\n'
      [[ "$decompiled" == *"$block"* ]] \
        || fail "$mo does not translate “$2” as “$3”"
      echo "ok: “$2” → “$3”"
      shift 3
      ;;
    --expect-plural)
      [ $# -ge 5 ] || fail "--expect-plural needs MSGID MSGID_PLURAL MSGSTR0 MSGSTR1"
      block=$'\n'"msgid \"$2\""$'\n'"msgid_plural \"$3\""$'\n'"msgstr[0] \"$4\""$'\n'"msgstr[1] \"$5\""$'\n'
      [[ "$decompiled" == *"$block"* ]] \
        || fail "$mo does not translate “$2”/“$3” as “$4”/“$5”"
      echo "ok: “$2”/“$3” → “$4”/“$5”"
      shift 5
      ;;
    *)
      fail "unknown check $1"
      ;;
  esac
  checks=$((checks + 1))
done

[ "$checks" -gt 0 ] || fail "no translation checked in $mo"
echo "ok: $mo holds all $checks checked translation(s)"
exit 0
